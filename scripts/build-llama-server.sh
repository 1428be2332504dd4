#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` from the llama-cpp-python source distribution (the same
# llama.cpp the other scripts use) with native CPU flags, for `apus bench serve` comparisons.
# Idempotent; prints the path of the llama-server binary on stdout.
#
# Why -mno-amx-*: a native build on Sapphire Rapids class CPUs enables AMX tiles, which the
# hypervisor of our CI machines does not enable, so the binary dies with SIGILL.
# cmake and ninja come from PyPI into a private virtualenv (neither is on the CI image).
# Usage: scripts/build-llama-server.sh [DEST]   (default ~/.cache/apus/llama-server)
set -euo pipefail
version=0.3.36
dest="${1:-$HOME/.cache/apus/llama-server}"
if [ -f "$dest/.complete-$version" ]; then echo "$dest/bin/llama-server"; exit 0; fi
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
    -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_C_FLAGS="$noamx" -DCMAKE_CXX_FLAGS="$noamx" >&2
PATH="$dest/tools/bin:$PATH" cmake --build "$work/build" --target llama-server -j "$(nproc)" >&2
mkdir -p "$dest/bin"
cp "$work/build/bin/llama-server" "$dest/bin/"
echo "llama-cpp-python==$version" > "$dest/VERSION"
touch "$dest/.complete-$version"
echo "$dest/bin/llama-server"
