#!/usr/bin/env python3
"""Writes a Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) built from a GGUF
file's byte-level BPE vocabulary and merges, for load generators that size prompts with a
Hugging Face tokenizer (aiperf) on a machine that cannot download one.

Usage: make-hf-tokenizer.py MODEL.gguf OUT_DIR
Needs the `gguf` and `tokenizers` packages (scripts/bench-serve-crosscheck's venv has both).
The pre-tokenizer is the GPT-2 byte-level split; prompt lengths it gives can differ from the
model's own (SmolLM2, Qwen2 split digits differently) by a token here and there, which is why
the cross-check takes token counts from the server's usage, not from this tokenizer.
"""
import json
import os
import sys

from gguf import GGUFReader
from tokenizers import Tokenizer, decoders, models, pre_tokenizers


def field(reader, name):
    return reader.fields[name].contents()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-hf-tokenizer.py MODEL.gguf OUT_DIR")
    reader = GGUFReader(sys.argv[1])
    if field(reader, "tokenizer.ggml.model") != "gpt2":
        sys.exit("only byte-level BPE (tokenizer.ggml.model = gpt2) vocabularies are supported")
    tokens = field(reader, "tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ", 1)) for m in field(reader, "tokenizer.ggml.merges")]
    token_types = field(reader, "tokenizer.ggml.token_type")
    vocab = {token: i for i, token in enumerate(tokens)}
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    # Control tokens (type 3) are special: never split, skipped when decoding.
    specials = [tokens[i] for i, kind in enumerate(token_types) if kind == 3]
    tokenizer.add_special_tokens(specials)
    os.makedirs(sys.argv[2], exist_ok=True)
    tokenizer.save(os.path.join(sys.argv[2], "tokenizer.json"))
    eos = int(field(reader, "tokenizer.ggml.eos_token_id"))
    config = {"backend": "tokenizers", "eos_token": tokens[eos], "tokenizer_class": "TokenizersBackend",
              "model_max_length": 1000000000000000019884624838656}
    with open(os.path.join(sys.argv[2], "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)


if __name__ == "__main__":
    main()
