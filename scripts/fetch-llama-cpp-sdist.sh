#!/usr/bin/env bash
# Fetches the llama-cpp-python source distribution from PyPI and unpacks only the files
# the conformance tests read: llama.cpp's vocabulary-only GGUF files with their
# input/expected-output pairs (models/ggml-vocab-*) and its real chat templates
# (models/templates/*.jinja). Idempotent; prints the directory on stdout.
# Usage: scripts/fetch-llama-cpp-sdist.sh [DEST]   (default ~/.cache/apus/llama-cpp)
set -euo pipefail
dest="${1:-${APUS_LLAMA_CPP_DIR:-$HOME/.cache/apus/llama-cpp}}"
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --no-deps --no-binary llama-cpp-python -d "$work" llama-cpp-python >&2
tarball=$(ls "$work"/llama_cpp_python-*.tar.gz | head -n 1)
mkdir -p "$dest"
tar -xzf "$tarball" -C "$work" --wildcards '*/vendor/llama.cpp/models/*'
src=$(ls -d "$work"/llama_cpp_python-*/vendor/llama.cpp/models)
rm -rf "$dest/models"
cp -r "$src" "$dest/models"
basename "$tarball" > "$dest/VERSION"
touch "$dest/.complete"
echo "$dest"
