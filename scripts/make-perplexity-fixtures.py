#!/usr/bin/env python3
"""Reference perplexity from llama.cpp (through llama-cpp-python), computed exactly as
llama-perplexity does: non-overlapping windows of n_ctx tokens, BOS in the first slot
when the vocabulary adds one, the second half of each window scored.

Usage: python3 scripts/make-perplexity-fixtures.py [MODEL ...]
Writes Tests/ApusEngineTests/Fixtures/perplexity-<model>.json.
"""
import json, math, os, sys
import subprocess
import numpy as np

# The reference is llama.cpp built for AVX2 without AVX-512, the code path Apus reproduces
# (scripts/build-llama-cpp-avx2.sh says why); built on first use.
_SCRIPTS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, subprocess.check_output([os.path.join(_SCRIPTS, "build-llama-cpp-avx2.sh")], text=True).strip())
from llama_cpp import Llama

MODELS_DIR = os.environ.get("APUS_MODELS", os.path.expanduser("~/.cache/apus/models"))
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "ApusEngineTests", "Fixtures")
TEXT = os.path.join(FIXTURES, "gpl-3.txt")
N_CTX, CHUNKS, N_BATCH = 256, 8, 256

def run(name):
    path = os.path.join(MODELS_DIR, name + ".gguf")
    if not os.path.exists(path):
        print("skip (not pulled):", name)
        return
    llm = Llama(model_path=path, n_ctx=N_CTX, n_batch=N_BATCH, logits_all=True, n_threads=2, verbose=False)
    text = open(TEXT, encoding="utf-8").read()
    tokens = llm.tokenize(text.encode(), add_bos=True, special=False)
    add_bos = llm._model.add_bos_token() if hasattr(llm._model, "add_bos_token") else (tokens[0] == llm.token_bos())
    chunks = min(len(tokens) // N_CTX, CHUNKS)
    first = N_CTX // 2
    nll = nll2 = 0.0
    count = 0
    running = []
    for i in range(chunks):
        ids = list(tokens[i * N_CTX:(i + 1) * N_CTX])
        if add_bos:
            ids[0] = llm.token_bos()
        llm.reset()
        llm.eval(ids)
        logits = np.array(llm.scores[:N_CTX], dtype=np.float64)
        for j in range(first, N_CTX - 1):
            row = logits[j]
            m = row.max()
            lse = math.log(np.exp(row - m).sum()) + m
            v = lse - row[tokens[i * N_CTX + j + 1]]
            nll += v
            nll2 += v * v
            count += 1
        running.append(math.exp(nll / count))
    mean = nll / count
    var = nll2 / count - mean * mean
    ppl = math.exp(mean)
    err = ppl * math.sqrt(var / (count - 1)) if var > 0 else 0.0
    out = {"model": name, "context": N_CTX, "chunks": chunks, "tokens": len(tokens), "add_bos": bool(add_bos),
           "ppl": ppl, "error": err, "running": running}
    with open(os.path.join(FIXTURES, "perplexity-" + name + ".json"), "w") as f:
        json.dump(out, f, indent=1)
    print(name, out["tokens"], "tokens", "PPL = %.4f +/- %.5f" % (ppl, err))

for model in (sys.argv[1:] or ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b"]):
    run(model)
