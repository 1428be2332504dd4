"""Polls GET /health on one keep-alive connection every 20 ms until SIGTERM/SIGINT (or
--seconds), then prints one JSON line: samples, p50/p99/max latency in ms, non-200 count.
Light enough to run beside a load test on the same machine. Usage: health_probe.py BASE_URL
"""
import argparse
import http.client
import json
import signal
import time
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("--seconds", type=float, default=600)
parser.add_argument("--interval", type=float, default=0.02)
args = parser.parse_args()
url = urllib.parse.urlparse(args.base)
stop = False


def on_signal(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
latencies, bad = [], 0
deadline = time.monotonic() + args.seconds
while not stop and time.monotonic() < deadline:
    t = time.perf_counter()
    c.request("GET", "/health")
    r = c.getresponse()
    r.read()
    latencies.append(time.perf_counter() - t)
    bad += r.status != 200
    time.sleep(args.interval)
latencies.sort()
n = len(latencies)
print(json.dumps({"health_samples": n, "health_non_200": bad,
                  "health_p50_ms": round(latencies[n // 2] * 1000, 2) if n else None,
                  "health_p99_ms": round(latencies[min(n - 1, int(n * 0.99))] * 1000, 2) if n else None,
                  "health_max_ms": round(latencies[-1] * 1000, 2) if n else None}))
