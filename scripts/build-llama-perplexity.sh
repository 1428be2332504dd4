#!/usr/bin/env bash
# Builds llama.cpp's `llama-perplexity` and `llama-bench` tools from the llama-cpp-python
# source distribution (the llama.cpp version the other fixtures name) and prints the path of
# llama-perplexity (llama-bench is beside it).
#
#   avx2    AVX2 + FMA + F16C, no AVX-512: the build the fidelity fixtures come from
#           (scripts/build-llama-cpp-avx2.sh says why).
#   native  -march=native, as llama.cpp ships for a machine; on Intel machines with AMX
#           the AMX kernels are left out (they die with SIGILL here: shared KERNEL-NOTES).
#
# KL divergence of the native build from the AVX2 build is the tolerance llama.cpp itself
# lives with between its own instruction sets; scripts/make-kld-base.sh measures it.
# cmake and ninja come from PyPI into a private virtualenv when the machine lacks them.
# Usage: scripts/build-llama-perplexity.sh avx2|native [DEST]
#        (default DEST ~/.cache/apus/llama-perplexity-<flavour>)
set -euo pipefail
version=0.3.36
flavour="${1:?usage: build-llama-perplexity.sh avx2|native [DEST]}"
dest="${2:-$HOME/.cache/apus/llama-perplexity-$flavour}"
if [ -f "$dest/.complete-$version" ]; then echo "$dest/bin/llama-perplexity"; exit 0; fi
case "$flavour" in
    avx2) flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF" ;;
    native)
        flags="-DGGML_NATIVE=ON"
        if grep -q amx_tile /proc/cpuinfo; then
            flags="$flags -DCMAKE_C_FLAGS=-mno-amx-tile\ -mno-amx-int8\ -mno-amx-bf16 -DCMAKE_CXX_FLAGS=-mno-amx-tile\ -mno-amx-int8\ -mno-amx-bf16 -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
        fi ;;
    *) echo "unknown flavour '$flavour': use avx2 or native" >&2; exit 2 ;;
esac

tools="$HOME/.cache/apus/build-tools"
if ! command -v cmake >/dev/null || ! command -v ninja >/dev/null; then
    if [ ! -x "$tools/bin/cmake" ] || [ ! -x "$tools/bin/ninja" ]; then
        python3 -m venv "$tools" >&2
        "$tools/bin/pip" install --quiet cmake ninja >&2
    fi
    export PATH="$tools/bin:$PATH"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary llama-cpp-python -d "$work" "llama-cpp-python==$version" >&2
tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
src=$(ls -d "$work"/llama_cpp_python-*/vendor/llama.cpp)
# shellcheck disable=SC2086  # $flags is a list of -D options
eval cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
    "$flags" >&2
cmake --build "$work/build" --target llama-perplexity llama-bench -j "$(nproc)" >&2
rm -rf "$dest"
mkdir -p "$dest/bin"
cp "$work/build/bin/llama-perplexity" "$work/build/bin/llama-bench" "$dest/bin/"
touch "$dest/.complete-$version"
echo "$dest/bin/llama-perplexity"
