#!/usr/bin/env python3
"""Writes what the reference GGUF reader (the `gguf` Python package, maintained with
llama.cpp) sees in each real model, for ApusGGUFTests to compare against:
data offset, every tensor (name, type, shape, offset) and the scalar metadata values.

Usage: python3 scripts/make-gguf-fixtures.py [MODELS_DIR]   (default ~/.cache/apus/models)
Writes Tests/ApusGGUFTests/Fixtures/<model>.json.
"""
import json, os, sys
from gguf import GGUFReader, GGUFValueType

models_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/apus/models")
out_dir = os.path.join(os.path.dirname(__file__), "..", "Tests", "ApusGGUFTests", "Fixtures")
os.makedirs(out_dir, exist_ok=True)

for name in ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]:
    path = os.path.join(models_dir, name + ".gguf")
    if not os.path.exists(path):
        print("skip (not pulled):", name)
        continue
    reader = GGUFReader(path)
    scalars, arrays = {}, {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        kind = field.types[0]
        if kind == GGUFValueType.ARRAY:
            arrays[key] = len(field.data)
        else:
            value = field.contents()
            scalars[key] = value
    tensors = [
        {"name": t.name, "type": int(t.tensor_type), "shape": [int(d) for d in t.shape],
         "offset": int(t.data_offset) - int(reader.data_offset), "bytes": int(t.n_bytes)}
        for t in reader.tensors
    ]
    fixture = {"model": name, "data_offset": int(reader.data_offset), "scalars": scalars,
               "array_lengths": arrays, "tensors": tensors}
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(fixture, f, indent=0, sort_keys=True)
    print("wrote", name, len(tensors), "tensors")
