#!/usr/bin/env python3
"""Writes the dequantization fixtures for Tests/ApusKernelsTests/DequantFixtureTests.swift.

For every GGML type Apus has kernels for, a few blocks and the floats a trusted reference
decodes them to:

* real blocks: for each type the real models hold (smollm2-135m: F32, Q4_1, Q8_0;
  gemma3-270m and qwen2.5-coder-0.5b: F32, Q4_K, Q5_0, Q6_K, Q8_0), 8 blocks from the
  middle of the first tensor of that type (256 values for F32), read with gguf.GGUFReader
  from ~/.cache/apus/models (or $APUS_MODELS);
* random valid blocks (seeded, so reruns write the same bytes) for every type: random
  quant bytes, with each f16 scale field replaced by a finite half in +-2^-6 (one block
  per file uses a subnormal scale); F16 and BF16 use random finite bit patterns.

The expected floats come from gguf-py's `gguf.quants.dequantize` (numpy), except:
* Q8_K: gguf-py has no Q8_K. Its blocks are made by llama.cpp's own
  `quantize_row_q8_K_ref` (so the bsums are valid) and decoded by its
  `dequantize_row_q8_K`, called through ctypes from libggml-base.so in the installed
  llama-cpp-python package.
* Q8_1: neither gguf-py nor ggml can dequantize it (ggml only writes it as an
  activation), so it has no fixture; DequantFixtureTests checks it with hand-worked cases.

File format (little-endian), one file per type and source, named
Fixtures/dequant/<TYPE>-<source>.bin:
    bytes 0-3    magic b"APDQ"
    bytes 4-7    u32 format version, 1
    bytes 8-11   u32 GGML type id (ggml.h numbering)
    bytes 12-15  u32 value count n
    bytes 16-19  u32 block byte count b
    then b bytes of blocks, then n f32 expected values.

Quantizer fixtures (same script, because they need the same ggml library): llama.cpp's
own encoders, `quantize_row_q8_K_ref` (which its x86 build also runs for activations)
and `quantize_row_q4_K_ref` (gguf-py's `gguf.quants.quantize` has no Q4_K), applied to
8 blocks of inputs chosen to reach every branch (typical weights, an all-zero block, an
all-positive block, a constant block, an outlier, values so small the f16 scales
underflow, ties). Written to Fixtures/quantize/<TYPE>.bin:
    bytes 0-3    magic b"APQZ"
    bytes 4-7    u32 format version, 1
    bytes 8-11   u32 GGML type id
    bytes 12-15  u32 value count n
    bytes 16-19  u32 block byte count b
    then n f32 inputs, then the b bytes ggml wrote.

Dot-product fixtures (same reason): for each K-quant weight type, the 8 random blocks of
its dequant fixture (and the real Q4_K/Q6_K blocks of qwen) against 8 Q8_K activation
blocks from `quantize_row_q8_K_ref`, with the results of llama.cpp's x86 kernel
`ggml_vec_dot_<type>_q8_K` (the AVX2 build in llama-cpp-python) and of its portable
`ggml_vec_dot_<type>_q8_K_generic`, for rows of the first 1, 3 and 8 blocks. Written to
Fixtures/dot/<TYPE>-<source>.bin:
    bytes 0-3    magic b"APDT"
    bytes 4-7    u32 format version, 1
    bytes 8-11   u32 GGML weight type id
    bytes 12-15  u32 block count nb (activation blocks are Q8_K, 292 bytes)
    bytes 16-19  u32 number of row lengths r
    then r u32 row lengths in blocks, then r (f32 x86 result, f32 generic result) pairs,
    then the weight blocks, then the activation blocks.

Usage: python3 scripts/make-dequant-fixtures.py   (from the repository root)
"""
import ctypes
import os
import struct
import sys
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf.constants import GGML_QUANT_SIZES

OUT = Path(__file__).resolve().parent.parent / "Tests/ApusKernelsTests/Fixtures/dequant"
MODELS = Path(os.environ.get("APUS_MODELS") or Path.home() / ".cache/apus/models")
REAL_SOURCES = {"smollm2": "smollm2-135m", "gemma3": "gemma3-270m", "qwen": "qwen2.5-coder-0.5b"}
BLOCKS = 8

# Byte offsets of the f16 scale fields inside one block of each quantized type.
HALF_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}
TYPES = [T.F32, T.F16, T.BF16, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0,
         T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K, T.Q8_K]


def write(qtype: T, source: str, blocks: bytes, values: np.ndarray) -> None:
    values = np.ascontiguousarray(values, dtype="<f4").reshape(-1)
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    assert len(blocks) % type_size == 0 and values.size == len(blocks) // type_size * block_size
    header = b"APDQ" + struct.pack("<IIII", 1, int(qtype), values.size, len(blocks))
    path = OUT / f"{qtype.name}-{source}.bin"
    path.write_bytes(header + blocks + values.tobytes())
    print(f"{path.name}: {len(blocks)} bytes, {values.size} values")


def gguf_dequantize(qtype: T, blocks: bytes) -> np.ndarray:
    return gguf.quants.dequantize(np.frombuffer(blocks, dtype=np.uint8), qtype)


_readers: dict[str, gguf.GGUFReader] = {}


def real_blocks(model: str, qtype: T) -> bytes | None:
    # Opening a reader parses all metadata (large vocabularies), so open each model once.
    if model not in _readers:
        _readers[model] = gguf.GGUFReader(str(MODELS / f"{model}.gguf"))
    reader = _readers[model]
    for tensor in reader.tensors:
        if tensor.tensor_type != qtype:
            continue
        raw = np.ascontiguousarray(tensor.data).view(np.uint8).reshape(-1)
        type_size = GGML_QUANT_SIZES[qtype][1]
        count = 256 if qtype == T.F32 else BLOCKS
        total = raw.size // type_size
        if total < count:
            continue
        start = (total // 2) * type_size
        return raw[start:start + count * type_size].tobytes()
    return None


def random_blocks(qtype: T, rng: np.random.Generator) -> bytes:
    if qtype == T.F16:
        bits = rng.integers(0, 1 << 16, size=256, dtype=np.uint32).astype(np.uint16)
        bits[(bits & 0x7C00) == 0x7C00] &= 0xBFFF  # no inf/NaN: clear an exponent bit
        return bits.astype("<u2").tobytes()
    if qtype == T.BF16:
        bits = rng.integers(0, 1 << 16, size=256, dtype=np.uint32).astype(np.uint16)
        bits[(bits & 0x7F80) == 0x7F80] &= 0xBFFF
        return bits.astype("<u2").tobytes()
    if qtype == T.F32:
        return rng.standard_normal(256).astype("<f4").tobytes()
    type_size = GGML_QUANT_SIZES[qtype][1]
    data = rng.integers(0, 256, size=(BLOCKS, type_size), dtype=np.uint16).astype(np.uint8)
    for block in range(BLOCKS):
        for offset in HALF_FIELDS[qtype]:
            scale = np.float16(rng.uniform(-1, 1) / 64)
            if block == 1:
                scale = np.float16(rng.uniform(-1, 1) * 2.0 ** -20)  # subnormal half
            data[block, offset:offset + 2] = np.frombuffer(scale.tobytes(), dtype=np.uint8)
    return data.tobytes()


def ggml_library() -> ctypes.CDLL:
    import llama_cpp
    lib = ctypes.CDLL(str(Path(llama_cpp.__file__).parent / "lib" / "libggml-base.so"))
    for name in ("quantize_row_q8_K_ref", "dequantize_row_q8_K", "quantize_row_q4_K_ref"):
        getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
        getattr(lib, name).restype = None
    return lib


def q8_k_fixture(rng: np.random.Generator) -> None:
    lib = ggml_library()
    values = (rng.standard_normal(BLOCKS * 256) * 2).astype(np.float32)
    values[256:512] = 0  # an all-zero block (ggml leaves its bsums unwritten: zero them first)
    blocks = np.zeros(BLOCKS * 292, dtype=np.uint8)
    lib.quantize_row_q8_K_ref(values.ctypes.data, blocks.ctypes.data, values.size)
    decoded = np.zeros(values.size, dtype=np.float32)
    lib.dequantize_row_q8_K(blocks.ctypes.data, decoded.ctypes.data, values.size)
    write(T.Q8_K, "random", blocks.tobytes(), decoded)


def quantizer_inputs(rng: np.random.Generator) -> np.ndarray:
    blocks = [
        rng.standard_normal(256) * 0.02,                 # typical weights
        np.zeros(256),                                   # all zero
        rng.uniform(0.5, 1.5, 256),                      # all positive: min clamps to 0
        np.full(256, 0.3),                               # constant
        np.concatenate([rng.standard_normal(255) * 0.01, [4.0]]),  # one outlier
        rng.standard_normal(256) * 1e-30,                # scales underflow f16
        np.round(rng.standard_normal(256) * 4) / 4,      # many ties
        -np.abs(rng.standard_normal(256)),               # all negative
    ]
    return np.concatenate(blocks).astype(np.float32)


def quantizer_fixtures(rng: np.random.Generator) -> None:
    lib = ggml_library()
    out = OUT.parent / "quantize"
    out.mkdir(parents=True, exist_ok=True)
    values = quantizer_inputs(rng)
    for qtype, encoder in ((T.Q8_K, lib.quantize_row_q8_K_ref), (T.Q4_K, lib.quantize_row_q4_K_ref)):
        type_size = GGML_QUANT_SIZES[qtype][1]
        blocks = np.zeros(values.size // 256 * type_size, dtype=np.uint8)
        encoder(values.ctypes.data, blocks.ctypes.data, values.size)
        header = b"APQZ" + struct.pack("<IIII", 1, int(qtype), values.size, blocks.size)
        path = out / f"{qtype.name}.bin"
        path.write_bytes(header + values.astype("<f4").tobytes() + blocks.tobytes())
        print(f"quantize/{path.name}: {values.size} values, {blocks.size} bytes")


def dot_fixtures(rng: np.random.Generator) -> None:
    lib = ggml_library()
    cpu = ctypes.CDLL(str(Path(lib._name).parent / "libggml-cpu.so"))
    cpu.ggml_cpu_init()
    out = OUT.parent / "dot"
    out.mkdir(parents=True, exist_ok=True)
    values = rng.standard_normal(BLOCKS * 256).astype(np.float32)
    activations = np.zeros(BLOCKS * 292, dtype=np.uint8)
    lib.quantize_row_q8_K_ref(values.ctypes.data, activations.ctypes.data, values.size)
    lengths = [1, 3, BLOCKS]
    sources = [(t, "random") for t in (T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K)]
    sources += [(T.Q4_K, "qwen"), (T.Q6_K, "qwen")]
    for qtype, source in sources:
        raw = (OUT / f"{qtype.name}-{source}.bin").read_bytes()
        byte_count = struct.unpack_from("<I", raw, 16)[0]
        weights = np.frombuffer(raw[20:20 + byte_count], dtype=np.uint8).copy()
        results = []
        for suffix in ("", "_generic"):
            kernel = getattr(cpu, f"ggml_vec_dot_{qtype.name.lower().replace('_k', '_K')}_q8_K{suffix}")
            kernel.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                               ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
            kernel.restype = None
            for blocks in lengths:
                result = ctypes.c_float(np.nan)
                kernel(blocks * 256, ctypes.byref(result), 0, weights.ctypes.data, 0, activations.ctypes.data, 0, 1)
                results.append(result.value)
        pairs = [value for i in range(len(lengths)) for value in (results[i], results[len(lengths) + i])]
        header = b"APDT" + struct.pack("<IIII", 1, int(qtype), BLOCKS, len(lengths))
        body = struct.pack(f"<{len(lengths)}I", *lengths) + struct.pack(f"<{len(pairs)}f", *pairs)
        path = out / f"{qtype.name}-{source}.bin"
        path.write_bytes(header + body + weights.tobytes() + activations.tobytes())
        print(f"dot/{path.name}: x86/generic = {pairs}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261122)
    quantizer_fixtures(np.random.default_rng(7))
    for qtype in TYPES:
        if qtype == T.Q8_K:
            q8_k_fixture(rng)
            continue
        blocks = random_blocks(qtype, rng)
        write(qtype, "random", blocks, gguf_dequantize(qtype, blocks))
        for source, model in REAL_SOURCES.items():
            if not (MODELS / f"{model}.gguf").exists():
                print(f"missing {model}; run `apus pull {model}`", file=sys.stderr)
                return 1
            real = real_blocks(model, qtype)
            if real is not None:
                write(qtype, source, real, gguf_dequantize(qtype, real))
    dot_fixtures(np.random.default_rng(11))
    return 0


if __name__ == "__main__":
    sys.exit(main())
