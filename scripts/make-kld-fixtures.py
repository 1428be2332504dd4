#!/usr/bin/env python3
"""KL-divergence fixtures: llama.cpp's logits on a short text, small enough to commit.

For each model, llama-perplexity from llama.cpp's AVX2 build (the reference) writes its
`--kl-divergence-base` file (all log-probabilities of every scored row, tens of MB), and the
native build (-march=native, AVX-512 here) writes its own on the same tokens. This script
keeps, per scored row, the reference's top-K log-probabilities and the log-probability of
the actual next token, and records how far the native build is from the reference on those
same rows (both with -fa off: Apus follows llama.cpp's non-flash attention) — the tolerance llama.cpp lives with between its own instruction sets, which
Apus must not exceed (KLDivergenceTests).

Top-K KL divergence (Swift test and this script compute it the same way): with p the
reference's probabilities of its top K tokens and q ours at the same ids, plus one bucket
for everything else, KL_K = Σ p·(log p − log q) + p_rest·(log p_rest − log q_rest). Merging
tokens into one bucket can only lower KL, so KL_K is a lower bound of the full KLD; with
K = 32 it captures nearly all of it on these models.

Fixture layout (little-endian), Tests/ApusEngineTests/Fixtures/kld-<model>.bin:
  "APUSTOPK"; i32 n_ctx, n_vocab, n_chunk, K;
  f32 native mean KL_K, native same-top fraction, reference PPL, native PPL;
  i32 tokens[n_chunk · n_ctx];
  per scored row (n_chunk · (n_ctx − 1 − n_ctx/2) rows): f32 log p(next token),
    then K × (i32 id, f32 log p), most likely first.

Usage: python3 scripts/make-kld-fixtures.py [MODEL ...]   (builds llama-perplexity on first use)
Full-size bases for BENCHMARKS.md come from scripts/make-kld-base.sh instead.
"""
import os, struct, subprocess, sys, tempfile
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.environ.get("APUS_MODELS", os.path.expanduser("~/.cache/apus/models"))
FIXTURES = os.path.join(HERE, "..", "Tests", "ApusEngineTests", "Fixtures")
TEXT = os.path.join(FIXTURES, "gpl-3.txt")
N_CTX, CHUNKS, K = 128, 2, 32


def perplexity_tool(flavour):
    return subprocess.check_output([os.path.join(HERE, "build-llama-perplexity.sh"), flavour], text=True).strip()


def write_base(tool, model, path):
    subprocess.run([tool, "-m", model, "-f", TEXT, "-c", str(N_CTX), "-b", str(N_CTX), "--chunks", str(CHUNKS),
                    "-t", "2", "-fa", "off", "--kl-divergence-base", path], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_base(path):
    """llama-perplexity's base: (n_ctx, n_vocab, n_chunk, tokens, log-probabilities [rows × n_vocab])."""
    data = open(path, "rb").read()
    assert data[:8] == b"_logits_", path
    n_ctx, n_vocab, n_chunk = struct.unpack_from("<iii", data, 8)
    offset = 20
    tokens = np.frombuffer(data, dtype="<i4", count=n_ctx * n_chunk, offset=offset)
    offset += 4 * n_ctx * n_chunk
    nv = 2 * ((n_vocab + 1) // 2) + 4
    rows = n_chunk * (n_ctx - 1 - n_ctx // 2)
    records = np.frombuffer(data, dtype="<u2", count=rows * nv, offset=offset).reshape(rows, nv)
    header = records[:, :4].copy().view("<f4")  # scale, min log-prob per row
    logp = records[:, 4:4 + n_vocab].astype(np.float64) * header[:, 0:1] + header[:, 1:2]
    return n_ctx, n_vocab, n_chunk, tokens, logp


def targets(n_ctx, n_chunk, tokens):
    first = n_ctx // 2
    return np.array([tokens[c * n_ctx + p + 1] for c in range(n_chunk) for p in range(first, n_ctx - 1)])


def top_k_kld(reference_logp, other_logp, k):
    """Mean KL_K(reference ‖ other) over rows, the renormalised other distribution at the reference's top K."""
    total = 0.0
    for ref, oth in zip(reference_logp, other_logp):
        ids = np.argsort(-ref)[:k]
        p = np.exp(ref[ids])
        q_all = oth - (np.log(np.exp(oth - oth.max()).sum()) + oth.max())
        q = np.exp(q_all[ids])
        kl = float((p * (ref[ids] - q_all[ids])).sum())
        p_rest, q_rest = max(0.0, 1 - p.sum()), max(1e-30, 1 - q.sum())
        if p_rest > 0:
            kl += p_rest * (np.log(p_rest) - np.log(q_rest))
        total += kl
    return total / len(reference_logp)


def run(name, avx2, native):
    model = os.path.join(MODELS_DIR, name + ".gguf")
    if not os.path.exists(model):
        print("skip (not pulled):", name)
        return
    with tempfile.TemporaryDirectory() as work:
        write_base(avx2, model, os.path.join(work, "avx2.base"))
        write_base(native, model, os.path.join(work, "native.base"))
        n_ctx, n_vocab, n_chunk, tokens, reference = read_base(os.path.join(work, "avx2.base"))
        _, _, _, native_tokens, native_logp = read_base(os.path.join(work, "native.base"))
    assert (tokens == native_tokens).all()
    next_ids = targets(n_ctx, n_chunk, tokens)
    rows = np.arange(len(next_ids))
    reference_ppl = float(np.exp(-reference[rows, next_ids].mean()))
    native_ppl = float(np.exp(-native_logp[rows, next_ids].mean()))
    native_kld = top_k_kld(reference, native_logp, K)
    same_top = float((reference.argmax(axis=1) == native_logp.argmax(axis=1)).mean())
    out = bytearray(b"APUSTOPK")
    out += struct.pack("<iiii", n_ctx, n_vocab, n_chunk, K)
    out += struct.pack("<ffff", native_kld, same_top, reference_ppl, native_ppl)
    out += tokens.astype("<i4").tobytes()
    for row, target in zip(reference, next_ids):
        ids = np.argsort(-row)[:K]
        out += struct.pack("<f", row[target])
        for i in ids:
            out += struct.pack("<if", int(i), row[i])
    with open(os.path.join(FIXTURES, "kld-" + name + ".bin"), "wb") as f:
        f.write(out)
    print(f"{name}: {len(next_ids)} rows, reference PPL {reference_ppl:.4f}, native PPL {native_ppl:.4f}, "
          f"native top-{K} KLD {native_kld:.6f}, native same top {100 * same_top:.1f}%, {len(out)} bytes")


avx2_tool, native_tool = perplexity_tool("avx2"), perplexity_tool("native")
for model in (sys.argv[1:] or ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]):
    run(model, avx2_tool, native_tool)
