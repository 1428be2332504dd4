#!/usr/bin/env python3
"""The server's own view of a cross-check run: `apus serve` logs every request's TTFT and
duration (`apus.request` lines), so the mean TTFT and TPOT ((duration − TTFT) / (tokens − 1))
of the requests each tool sent can be set beside what the tool measured. A tool's requests
are those that finished inside its window (PHASES: `start NAME TIME` / `end NAME TIME` lines,
written by bench-serve-crosscheck), its one warm-up request included.

Usage: scripts/bench-serve-crosscheck-serverlog.py SERVER.LOG PHASES
"""
import re
import sys
from datetime import datetime

request = re.compile(r"^(\S+) .*completion_tokens=(\d+) duration_ms=([\d.]+).*ttft_ms=([\d.]+)")


def when(text):
    return datetime.fromisoformat(text[:26].rstrip("Z")).replace(tzinfo=None)


finished = []
for text in open(sys.argv[1]):
    m = request.match(text)
    if m:
        tokens, duration, ttft = int(m.group(2)), float(m.group(3)), float(m.group(4))
        finished.append((when(m.group(1)[:19]), ttft, (duration - ttft) / max(1, tokens - 1)))
windows = {}
for text in open(sys.argv[2]):
    kind, name, time = text.split()
    windows.setdefault(name, {})[kind] = when(time[:26])
print("\n| tool's window | requests (incl. warm-up) | server's mean TTFT ms | server's mean TPOT ms |")
print("|---|---:|---:|---:|")
for name, window in windows.items():
    inside = [(t, p) for at, t, p in finished if window["start"] <= at <= window["end"]]
    if inside:
        n = len(inside)
        print(f"| {name} | {n} | {sum(t for t, _ in inside) / n:.2f} | {sum(p for _, p in inside) / n:.2f} |")
