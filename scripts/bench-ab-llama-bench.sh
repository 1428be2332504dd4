#!/usr/bin/env bash
# pp512 and tg128 (2 threads) of one model for several Apus builds and llama.cpp's llama-bench,
# alternating engine by engine, round by round, so all see the same machine: issue 16's speed
# table (BENCHMARKS.md). One line per run: ENGINE MODEL TEST T/S. Take medians.
# Usage: scripts/bench-ab-llama-bench.sh MODEL ROUNDS ENGINE...   ENGINE = path to apus, or "llama"
#   env: LLAMA_BENCH (~/.cache/apus/llama-perplexity-native/bin/llama-bench, from
#        scripts/build-llama-perplexity.sh native: -march=native without AMX, no OpenMP)
set -u
model=${1:?usage: bench-ab-llama-bench.sh MODEL ROUNDS ENGINE...}; rounds=${2:?rounds}; shift 2
LB=${LLAMA_BENCH:-$HOME/.cache/apus/llama-perplexity-native/bin/llama-bench}
path=${APUS_MODELS:-$HOME/.cache/apus/models}/$model.gguf
for _ in $(seq 1 "$rounds"); do
  for e in "$@"; do
    if [ "$e" = llama ]; then
      "$LB" -m "$path" -p 512 -n 128 -r 1 -t 2 -fa 0 -o csv 2>/dev/null | python3 -c '
import csv, sys
for row in csv.DictReader(sys.stdin):
    print("llama", sys.argv[1], "pp512" if int(row["n_prompt"]) else "tg128", row["avg_ts"], flush=True)' "$model"
    else
      "$e" bench -m "$model" -p 512 -n 128 -r 1 -t 2 --json 2>/dev/null | python3 -c '
import json, sys
for row in json.load(sys.stdin): print(sys.argv[2], sys.argv[1], row["test"].split()[0], row["tokens_per_second"], flush=True)' "$model" "$e"
    fi
  done
done
