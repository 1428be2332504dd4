#!/usr/bin/env bash
# Builds llama.cpp's `llama-batched-bench` (aggregate throughput of N parallel sequences)
# from the llama-cpp-python source distribution the other scripts use, with native CPU
# flags, for the engine comparisons in BENCHMARKS.md. Development-time only.
#
# Why -mno-amx-*: a native build on Sapphire Rapids class CPUs enables AMX tiles, and
# llama.cpp's AMX code dies with SIGILL here (it never asks Linux for the tile permission).
# Usage: scripts/build-llama-batched-bench.sh [DEST]   (default ~/.cache/apus/llama-batched-bench)
# Prints the path of the binary on stdout. Idempotent.
set -euo pipefail
version=0.3.36
dest="${1:-$HOME/.cache/apus/llama-batched-bench}"
if [ -f "$dest/.complete-$version" ]; then echo "$dest/bin/llama-batched-bench"; exit 0; fi
rm -rf "$dest"
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$dest/tools"
"$dest/tools/bin/pip" install --quiet cmake ninja >&2
python3 -m pip download --no-deps --no-binary llama-cpp-python -d "$work" "llama-cpp-python==$version" >&2
tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
src=$(ls -d "$work"/llama_cpp_python-*/vendor/llama.cpp)

noamx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
PATH="$dest/tools/bin:$PATH" cmake -S "$src" -B "$work/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_EXAMPLES=ON -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_C_FLAGS="$noamx" -DCMAKE_CXX_FLAGS="$noamx" >&2
PATH="$dest/tools/bin:$PATH" cmake --build "$work/build" --target llama-batched-bench -j "$(nproc)" >&2
mkdir -p "$dest/bin"
cp "$work/build/bin/llama-batched-bench" "$dest/bin/"
echo "llama-cpp-python==$version" > "$dest/VERSION"
touch "$dest/.complete-$version"
echo "$dest/bin/llama-batched-bench"
