#!/usr/bin/env python3
"""The cross-check table of BENCHMARKS.md: `apus bench serve` (two runs) beside aiperf on one
server and workload, metric by metric, with aiperf's difference from the mean of the two
`apus bench serve` runs. aiperf's names: time_to_first_token = TTFT, inter_token_latency =
vLLM's TPOT ((latency − TTFT) / (tokens − 1) per request), inter_chunk_latency = vLLM's ITL,
request_latency = E2EL.

Usage: scripts/bench-serve-crosscheck-table.py OUT   (the directory bench-serve-crosscheck wrote)
"""
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
apus = [json.loads(p.read_text()) for p in sorted(out.glob("apus-*.json"))]
aiperf = json.loads((out / "aiperf" / "profile_export_aiperf.json").read_text())

rows = [  # label, vLLM key stem, aiperf metric, aiperf statistic
    ("mean TTFT ms", "mean_ttft_ms", "time_to_first_token", "avg"),
    ("median TTFT ms", "median_ttft_ms", "time_to_first_token", "p50"),
    ("p99 TTFT ms", "p99_ttft_ms", "time_to_first_token", "p99"),
    ("mean TPOT ms", "mean_tpot_ms", "inter_token_latency", "avg"),
    ("median TPOT ms", "median_tpot_ms", "inter_token_latency", "p50"),
    ("p99 TPOT ms", "p99_tpot_ms", "inter_token_latency", "p99"),
    ("mean ITL ms", "mean_itl_ms", "inter_chunk_latency", "avg"),
    ("median ITL ms", "median_itl_ms", "inter_chunk_latency", "p50"),
    ("p99 ITL ms", "p99_itl_ms", "inter_chunk_latency", "p99"),
    ("mean E2EL ms", "mean_e2el_ms", "request_latency", "avg"),
    ("output tok/s", "output_throughput", "output_token_throughput", "avg"),
    ("requests/s", "request_throughput", "request_throughput", "avg"),
]
names = [f"apus bench serve #{i + 1}" for i in range(len(apus))]
print("| metric | " + " | ".join(names) + " | aiperf | aiperf − apus mean |")
print("|---|" + "---:|" * (len(apus) + 2))
for label, key, metric, stat in rows:
    values = [run[key] for run in apus]
    other = aiperf[metric][stat]
    mean = sum(values) / len(values)
    diff = f"{100 * (other - mean) / mean:+.1f}%" if mean else "n/a"
    print(f"| {label} | " + " | ".join(f"{v:.2f}" for v in values) + f" | {other:.2f} | {diff} |")
