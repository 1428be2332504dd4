#!/usr/bin/env bash
# Builds llama-cpp-python (the version the fixtures name) for AVX2 + FMA + F16C only,
# without AVX-512, into its own directory, and prints that directory.
#
# Why: the parity fixtures (logits, greedy text, perplexity) must come from the llama.cpp
# code path Apus reproduces. A native build picks AVX-512 kernels where the CPU has them
# (this machine kind varies), and those group float sums and compute e^x differently from
# the AVX2 kernels, i.e. give different last bits and, through 8-bit activation
# quantization, different tokens. The benchmark rival stays the native build
# (scripts/bench-vs-llamacpp).
# Usage: scripts/build-llama-cpp-avx2.sh [DEST]   (default ~/.cache/apus/llama-cpp-avx2)
set -euo pipefail
version=0.3.36
dest="${1:-$HOME/.cache/apus/llama-cpp-avx2}"
if [ -f "$dest/.complete-$version" ]; then echo "$dest"; exit 0; fi
rm -rf "$dest"
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_OPENMP=OFF" \
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    python3 -m pip install --no-deps --no-binary llama-cpp-python --target "$dest" "llama-cpp-python==$version" >&2
touch "$dest/.complete-$version"
echo "$dest"
