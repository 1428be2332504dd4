#!/usr/bin/env python3
"""Turns scripts/bench-engine's JSON lines (apus bench throughput --json, and llama-batched-bench's
jsonl) into the Markdown tables of BENCHMARKS.md's engine section.
Usage: scripts/bench-engine MODEL > runs.jsonl; scripts/bench-engine-table.py runs.jsonl"""
import json
import sys

apus, llama = [], {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    if "output_tokens_per_second" in d:
        apus.append(d)
    elif "n_batch" in d and "pl" in d:  # llama-batched-bench
        llama[d["pl"]] = d


def f(x, digits=1):
    return f"{x:,.{digits}f}"


seen = set()
curve = [d for d in apus if d["shared_prefix"] == 0 and d["long_prompt_len"] == 0 and d["input_len"] == 128
         and d["max_batch_tokens"] == 256 and d["num_prompts"] == max(4, 2 * d["max_concurrency"])
         and not (d["max_concurrency"] in seen or seen.add(d["max_concurrency"]))]
if curve:
    print("| sequences | Apus total tok/s | Apus decode tok/s | llama-batched-bench total tok/s | its decode tok/s | total ratio |")
    print("|---:|---:|---:|---:|---:|---:|")
    for d in curve:
        c = d["max_concurrency"]
        l = llama.get(c)
        lt = l["speed"] if l else None
        print(f"| {c} | {f(d['total_tokens_per_second'])} | {f(d['decode_tokens_per_second'])} | "
              f"{f(lt) if lt else '–'} | {f(l['speed_tg']) if l else '–'} | "
              f"{f(d['total_tokens_per_second'] / lt, 2) + '×' if lt else '–'} |")
    print()
prefix = [d for d in apus if d["shared_prefix"] > 0]
if prefix:
    print("| prefix caching | mean TTFT of requests 2–16 ms | mean TTFT ms | prompt tokens from the cache | total tok/s |")
    print("|---|---:|---:|---:|---:|")
    for d in prefix:
        print(f"| {'on' if d['prefix_caching'] else 'off'} | {f(d['mean_ttft_after_first_ms'], 0)} | {f(d['mean_ttft_ms'], 0)} | "
              f"{d['cached_prompt_tokens']:,} | {f(d['total_tokens_per_second'])} |")
    on = [d for d in prefix if d["prefix_caching"]]; off = [d for d in prefix if not d["prefix_caching"]]
    if on and off:
        print(f"\nTTFT of requests 2–16, off ÷ on: {off[0]['mean_ttft_after_first_ms'] / on[0]['mean_ttft_after_first_ms']:.1f}×")
    print()
prefill = [d for d in apus if d["long_prompt_len"] > 0]
alone = [d for d in apus if d["long_prompt_len"] == 0 and d["max_concurrency"] == 8 and d["output_len"] == 256]
if prefill and alone:
    base50, base_max = alone[0]["median_itl_ms"], alone[0]["max_itl_ms"]
    print(f"Without the long prompt: ITL p50 {f(base50)} ms, max {f(base_max)} ms.\n")
    print("| prompt tokens beside decodes | long prefill ms | ITL during it p50 / max ms | p50 ÷ p50 without | max ÷ p50 without |")
    print("|---:|---:|---|---:|---:|")
    for d in prefill:
        k = d.get("prompt_tokens_per_decode", 0)
        label = f"{k} per decoding stream" if k else str(d["max_prompt_tokens_beside_decodes"])
        print(f"| {label} | {f(d['long_prompt_prefill_ms'], 0)} | "
              f"{f(d['itl_during_long_prefill_median_ms'])} / {f(d['itl_during_long_prefill_max_ms'])} | "
              f"{d['itl_during_long_prefill_median_ms'] / base50:.2f}× | {d['itl_during_long_prefill_max_ms'] / base50:.2f}× |")
    print()
budget = [d for d in apus if d["num_prompts"] == 32 and d["max_concurrency"] == 16 and d["long_prompt_len"] == 0]
if budget:
    print("| --max-batch-tokens | total tok/s | output tok/s | mean TTFT ms | mean TPOT ms |")
    print("|---:|---:|---:|---:|---:|")
    for d in budget:
        print(f"| {d['max_batch_tokens']} | {f(d['total_tokens_per_second'])} | {f(d['output_tokens_per_second'])} | "
              f"{f(d['mean_ttft_ms'], 0)} | {f(d['mean_tpot_ms'])} |")
