#!/usr/bin/env python3
"""Writes the llama.cpp fixtures for Tests/ApusKernelsTests/Blocks32LlamaCppTests.swift.

For each 32-element weight type (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0), seeded random inputs are
encoded and dotted by llama.cpp's own code, called through ctypes from the libraries in
the installed llama-cpp-python package (an AVX2 build on x86):

* weights: `quantize_row_<type>_ref` (libggml-base) applied to 8 blocks of floats;
* activations: `quantize_row_q8_0` / `quantize_row_q8_1` (libggml-cpu), the encoders
  llama.cpp runs for activations on this CPU (its AVX2 path), applied to 8 blocks of
  floats that include an outlier, an all-zero block and exact .5 ties;
* results: `ggml_vec_dot_<type>_q8_<0|1>` (the AVX2 kernel) and its portable
  `..._generic`, for rows of the first 1, 3 and 8 blocks.

File format (little-endian), Fixtures/blocks32/<TYPE>.bin:
    bytes 0-3    magic b"APB3"
    bytes 4-7    u32 format version, 1
    bytes 8-11   u32 GGML weight type id (ggml.h numbering)
    bytes 12-15  u32 block count nb
    bytes 16-19  u32 number of row lengths r
    then r u32 row lengths in blocks, then r (f32 x86 result, f32 generic result) pairs,
    then 32·nb f32 weight inputs, then 32·nb f32 activation inputs,
    then the weight blocks, then the activation blocks.

Usage: python3 scripts/make-block32-fixtures.py   (from the repository root)
"""
import ctypes
import struct
from pathlib import Path

import numpy as np
import llama_cpp

OUT = Path(__file__).resolve().parent.parent / "Tests/ApusKernelsTests/Fixtures/blocks32"
BLOCKS = 8
LENGTHS = [1, 3, BLOCKS]
# name: (ggml type id, bytes per block, activation type name, activation bytes per block)
TYPES = {
    "Q4_0": (2, 18, "q8_0", 34),
    "Q4_1": (3, 20, "q8_1", 36),
    "Q5_0": (6, 22, "q8_0", 34),
    "Q5_1": (7, 24, "q8_1", 36),
    "Q8_0": (8, 34, "q8_0", 34),
}


def libraries():
    folder = Path(llama_cpp.__file__).parent / "lib"
    base = ctypes.CDLL(str(folder / "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
    cpu = ctypes.CDLL(str(folder / "libggml-cpu.so"), mode=ctypes.RTLD_GLOBAL)
    cpu.ggml_cpu_init()
    return base, cpu


def encoder(library, name):
    function = getattr(library, name)
    function.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    function.restype = None
    return function


def activation_inputs(rng):
    values = rng.standard_normal(BLOCKS * 32).astype(np.float32)
    values[5] = 9.0                      # an outlier sets block 0's scale
    values[32:64] = 0.0                  # an all-zero block
    values[64:96] = np.arange(32, dtype=np.float32) - 16.5  # with amax 16.5·…: .5 ties after scaling
    values[64] = 127.0                   # amax 127 → id = 1, so x.5 inputs are exact ties
    return values


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    base, cpu = libraries()
    rng = np.random.default_rng(20261122)
    for name, (type_id, block_bytes, activation, activation_block_bytes) in TYPES.items():
        weight_inputs = rng.standard_normal(BLOCKS * 32).astype(np.float32)
        weights = np.zeros(BLOCKS * block_bytes, dtype=np.uint8)
        encoder(base, f"quantize_row_{name.lower()}_ref")(weight_inputs.ctypes.data, weights.ctypes.data, weight_inputs.size)
        activation_values = activation_inputs(rng)
        activations = np.zeros(BLOCKS * activation_block_bytes, dtype=np.uint8)
        encoder(cpu, f"quantize_row_{activation}")(activation_values.ctypes.data, activations.ctypes.data, activation_values.size)
        results = []
        for suffix in ("", "_generic"):
            kernel = getattr(cpu, f"ggml_vec_dot_{name.lower()}_{activation}{suffix}")
            kernel.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                               ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
            kernel.restype = None
            for blocks in LENGTHS:
                result = ctypes.c_float(np.nan)
                kernel(blocks * 32, ctypes.byref(result), 0, weights.ctypes.data, 0, activations.ctypes.data, 0, 1)
                results.append(result.value)
        pairs = [v for i in range(len(LENGTHS)) for v in (results[i], results[len(LENGTHS) + i])]
        header = b"APB3" + struct.pack("<IIII", 1, type_id, BLOCKS, len(LENGTHS))
        body = struct.pack(f"<{len(LENGTHS)}I", *LENGTHS) + struct.pack(f"<{len(pairs)}f", *pairs)
        path = OUT / f"{name}.bin"
        path.write_bytes(header + body + weight_inputs.tobytes() + activation_values.tobytes()
                         + weights.tobytes() + activations.tobytes())
        print(f"{path.name}: x86/generic = {pairs}")


if __name__ == "__main__":
    main()
