#!/usr/bin/env bash
# Generation speed (tg128, 2 threads) of Apus builds and llama.cpp with a CPU-bound load beside
# them: issue 16's contention table (BENCHMARKS.md). One line per run: LOAD ENGINE MODEL tg128 T/S.
#
#   quiet  no load
#   spin   one busy loop pinned to core 1 (`taskset -c 1 sh -c 'while :; do :; done'`)
#   two    two busy loops, unpinned (a two-core CPU-bound load)
#
# Every process must compete at one priority: run this whole script at nice 0 (Apus's
# compute threads run at nice 0 whatever `nice` the process was started with: its work runs on
# a libdispatch thread, and the pool's workers inherit that thread's priority), in a session
# of its own when the machine is shared, e.g. on this project's machine:
#   flock /tmp/apus-measure.lock setsid --wait nice -n -19 bash -c \
#     'echo -19 > /proc/$$/autogroup; exec nice -n 19 scripts/bench-contention.sh spin 3 .build/release/apus llama'
# (the session's autogroup at -19 keeps other sessions out; everything inside at nice 0).
# Usage: scripts/bench-contention.sh LOAD ROUNDS ENGINE...   ENGINE = path to apus, or "llama"
#   env: MODELS (smollm2-135m qwen2.5-coder-0.5b), T (threads, 2),
#        LLAMA_BENCH (~/.cache/apus/llama-perplexity-native/bin/llama-bench, from
#        scripts/build-llama-perplexity.sh native)
set -u
load=${1:?usage: bench-contention.sh quiet|spin|two ROUNDS ENGINE...}; rounds=${2:?rounds}; shift 2
LB=${LLAMA_BENCH:-$HOME/.cache/apus/llama-perplexity-native/bin/llama-bench}
models_dir=${APUS_MODELS:-$HOME/.cache/apus/models}
pids=()
case $load in
  quiet) ;;
  spin) taskset -c 1 sh -c 'while :; do :; done' & pids+=($!) ;;
  two) sh -c 'while :; do :; done' & pids+=($!); sh -c 'while :; do :; done' & pids+=($!) ;;
  *) echo "unknown load '$load': use quiet, spin or two" >&2; exit 2 ;;
esac
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT
sleep 1
for model in ${MODELS:-smollm2-135m qwen2.5-coder-0.5b}; do
  for _ in $(seq 1 "$rounds"); do
    for e in "$@"; do
      if [ "$e" = llama ]; then
        "$LB" -m "$models_dir/$model.gguf" -p 0 -n 128 -r 1 -t "${T:-2}" -fa 0 -o csv 2>/dev/null | python3 -c '
import csv, sys
for row in csv.DictReader(sys.stdin): print(sys.argv[2], "llama", sys.argv[1], "tg128", row["avg_ts"], flush=True)' "$model" "$load"
      else
        "$e" bench -m "$model" -p 0 -n 128 -r 1 -t "${T:-2}" --json 2>/dev/null | python3 -c '
import json, sys
for row in json.load(sys.stdin): print(sys.argv[3], sys.argv[2], sys.argv[1], "tg128", row["tokens_per_second"], flush=True)' "$model" "$e" "$load"
      fi
    done
  done
done
