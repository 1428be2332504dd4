#!/usr/bin/env bash
# The fidelity table of BENCHMARKS.md: KL divergence from llama.cpp's AVX2 build, of Apus and
# of llama.cpp's native build (the tolerance llama.cpp lives with between its instruction sets).
#
# For each model: llama-perplexity (AVX2 build) writes its --kl-divergence-base file on the
# text; llama-perplexity (native build) and `apus perplexity` then read it with
# --kl-divergence and print llama-perplexity's statistics (mean KLD, PPL(Q) − PPL(base),
# same top). Both llama.cpp builds run with -fa off: Apus follows llama.cpp's default
# non-flash attention numerics (flash attention rounds differently; llama-perplexity's
# default is `auto`, which turns it on). The bases are large (n_vocab × 2 bytes per scored token) and stay in $WORK.
# Usage: scripts/make-kld-base.sh [MODEL ...]
#   env: CTX (256), CHUNKS (4), THREADS (2), TEXT (Tests/ApusEngineTests/Fixtures/gpl-3.txt),
#        WORK (~/.cache/apus/kld), APUS (.build/release/apus)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ctx=${CTX:-256}; chunks=${CHUNKS:-4}; threads=${THREADS:-2}
text=${TEXT:-$here/../Tests/ApusEngineTests/Fixtures/gpl-3.txt}
work=${WORK:-$HOME/.cache/apus/kld}
apus=${APUS:-$here/../.build/release/apus}
models_dir=${APUS_MODELS:-$HOME/.cache/apus/models}
avx2=$("$here/build-llama-perplexity.sh" avx2)
native=$("$here/build-llama-perplexity.sh" native)
mkdir -p "$work"
[ "$#" -gt 0 ] || set -- smollm2-135m gemma3-270m qwen2.5-coder-0.5b qwen2.5-coder-1.5b
summary() { grep -E "Mean PPL\(Q\) |Mean PPL\(base\)|Mean PPL\(Q\)-PPL|Mean    KLD|Same top" || true; }
for name in "$@"; do
    model="$models_dir/$name.gguf"
    [ -f "$model" ] || { echo "skip (not pulled): $name"; continue; }
    base="$work/$name-avx2-c$ctx-$chunks.base"
    if [ ! -f "$base" ]; then
        "$avx2" -m "$model" -f "$text" -c "$ctx" -b "$ctx" --chunks "$chunks" -t "$threads" -fa off \
            --kl-divergence-base "$base" > "$work/$name-avx2.log" 2>&1
    fi
    echo "== $name: llama.cpp native vs llama.cpp AVX2 (c=$ctx, $chunks chunks)"
    "$native" -m "$model" -c "$ctx" -b "$ctx" -t "$threads" -fa off --kl-divergence-base "$base" --kl-divergence \
        > "$work/$name-native.log" 2>&1
    summary < "$work/$name-native.log"
    echo "== $name: Apus vs llama.cpp AVX2"
    "$apus" perplexity -m "$model" -b "$ctx" -t "$threads" --kl-divergence-base "$base" --kl-divergence \
        > "$work/$name-apus.log" 2> "$work/$name-apus.err"
    summary < "$work/$name-apus.log"
done
