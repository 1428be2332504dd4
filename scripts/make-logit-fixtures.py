#!/usr/bin/env python3
"""Reference logits and greedy text from llama.cpp (through llama-cpp-python) for the
parity tests of ApusModels.

For each model and prompt: the prompt's token ids (llama.cpp's tokenizer), the top-10
logits at every prompt position, and a 64-token greedy continuation with the top-10
logits of every step. Chat prompts are rendered with the model's own template by jinja2.

Usage: python3 scripts/make-logit-fixtures.py [MODEL ...]   (default: all pulled models)
Writes Tests/ApusModelsTests/Fixtures/logits-<model>.json.
"""
import json, os, sys
import subprocess
import numpy as np

# The reference is llama.cpp built for AVX2 without AVX-512, the code path Apus reproduces
# (scripts/build-llama-cpp-avx2.sh says why); built on first use.
_SCRIPTS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, subprocess.check_output([os.path.join(_SCRIPTS, "build-llama-cpp-avx2.sh")], text=True).strip())
from llama_cpp import Llama

MODELS_DIR = os.environ.get("APUS_MODELS", os.path.expanduser("~/.cache/apus/models"))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ApusModelsTests", "Fixtures")
STEPS = 64
TOP = 10

RAW_PROMPTS = [
    "The capital of France is",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "Once upon a time, in a small village by the sea, there lived",
]
CHAT_PROMPTS = [
    "What is the boiling point of water at sea level?",
    "Write a haiku about autumn leaves.",
    "Explain in one sentence what a hash table is.",
]

def render_chat(llm, text):
    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        return None
    import jinja2
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = lambda m: (_ for _ in ()).throw(Exception(m))
    return env.from_string(template).render(messages=[{"role": "user", "content": text}],
                                            add_generation_prompt=True, bos_token="", eos_token="")

def top(logits):
    idx = np.argsort(-logits, kind="stable")[:TOP]
    return [[int(i), float(logits[i])] for i in idx]

def run(name):
    path = os.path.join(MODELS_DIR, name + ".gguf")
    if not os.path.exists(path):
        print("skip (not pulled):", name)
        return
    llm = Llama(model_path=path, n_ctx=512, n_batch=512, logits_all=True, n_threads=2, verbose=False)
    cases = []
    prompts = [(p, False) for p in RAW_PROMPTS]
    for p in CHAT_PROMPTS:
        rendered = render_chat(llm, p)
        if rendered is not None:
            prompts.append((rendered, True))
    for text, chat in prompts:
        ids = llm.tokenize(text.encode(), add_bos=True, special=chat)
        llm.reset()
        llm.eval(ids)
        prompt_top = [top(np.array(llm.scores[i])) for i in range(len(ids))]
        greedy, steps = [], []
        logits = np.array(llm.scores[len(ids) - 1])
        for _ in range(STEPS):
            token = int(np.argmax(logits))
            greedy.append(token)
            llm.eval([token])
            logits = np.array(llm.scores[llm.n_tokens - 1])
            steps.append(top(logits))
        cases.append({"prompt": text, "chat": chat, "ids": ids, "prompt_top": prompt_top,
                      "greedy": greedy, "greedy_top": steps,
                      "text": llm.detokenize(greedy).decode("utf-8", errors="replace")})
        print(name, "chat" if chat else "raw", repr(cases[-1]["text"][:60]))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "logits-" + name + ".json"), "w") as f:
        json.dump({"model": name, "cases": cases}, f)

for model in (sys.argv[1:] or ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]):
    run(model)
