#!/usr/bin/env python3
"""Markdown tables from a scripts/bench-serve-all result directory: the fixed-concurrency
table (both servers side by side) and one table per sweep with the highest rate at which at
least 90% of requests met the SLOs (goodput / request throughput ≥ 0.9).

Usage: bench-serve-table.py OUT
"""
import glob
import json
import os
import sys

SERVERS = {"apus": "apus serve", "llama": "llama-server"}
MODELS = ["smollm2-135m", "qwen2.5-coder-0.5b"]


def load(path):
    with open(path) as f:
        return json.load(f)


def good_fraction(r):
    # goodput and throughput share the run's duration, so their ratio is the fraction of
    # requests within the SLOs (failed requests count as not within).
    return r["request_goodput"] / r["request_throughput"] if r["request_throughput"] else 0.0


def concurrency_table(out):
    print("| model | concurrency | prompts | server | failed | output tok/s | median TTFT ms | p99 TTFT ms | median TPOT ms | p99 TPOT ms | median ITL ms |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for model in MODELS:
        for c in (1, 4, 16, 32):
            for server in SERVERS:
                path = os.path.join(out, f"conc-{server}-{model}", f"c{c}.json")
                if not os.path.exists(path):
                    continue
                r = load(path)
                print(f"| {model} | {c} | {r['num_prompts']} | {SERVERS[server]} | {r['failed']} | {r['output_throughput']:.1f} | "
                      f"{r['median_ttft_ms']:.0f} | {r['p99_ttft_ms']:.0f} | {r['median_tpot_ms']:.1f} | {r['p99_tpot_ms']:.1f} | "
                      f"{r['median_itl_ms']:.1f} |")


def sweep_tables(out):
    for directory in sorted(glob.glob(os.path.join(out, "sweep-*"))):
        runs = []
        for path in glob.glob(os.path.join(directory, "rate-*.json")):
            r = load(path)
            runs.append((float(r["request_rate"]), r))
        if not runs:
            continue
        runs.sort(key=lambda x: x[0])
        print(f"\n{os.path.basename(directory)}\n")
        print("| rate req/s | prompts | failed | req/s | goodput req/s | within SLOs | output tok/s | median TTFT ms | p99 TTFT ms | median TPOT ms | p99 TPOT ms |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for rate, r in runs:
            print(f"| {rate:g} | {r['num_prompts']} | {r['failed']} | {r['request_throughput']:.2f} | {r['request_goodput']:.2f} | "
                  f"{100 * good_fraction(r):.0f}% | {r['output_throughput']:.1f} | {r['median_ttft_ms']:.0f} | {r['p99_ttft_ms']:.0f} | "
                  f"{r['median_tpot_ms']:.1f} | {r['p99_tpot_ms']:.1f} |")
        sustained = [rate for rate, r in runs if good_fraction(r) >= 0.9]
        print(f"\nhighest rate with ≥ 90% within SLOs: {max(sustained):g} req/s" if sustained else "\nno rate tried kept ≥ 90% within SLOs")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench-serve-table.py OUT")
    concurrency_table(sys.argv[1])
    sweep_tables(sys.argv[1])
