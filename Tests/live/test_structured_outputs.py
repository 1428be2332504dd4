"""End-to-end structured output on a real model (issue 19): every schema of the grammar
test corpus (Tests/ApusGrammarTests/Fixtures/schemas.json, 43 schemas of varied keywords),
sampled at temperature 1 with two seeds — one through /v1/chat/completions with
`response_format: json_schema`, one through /v1/completions with vLLM's
`structured_outputs.json` — and every output that finished by itself parses and validates
with Python's `jsonschema` (formats checked); an output cut short must have been cut by
`max_tokens` (`finish_reason: "length"` with exactly max_tokens tokens).

Usage: test_structured_outputs.py BASE_URL API_KEY [--max-tokens 160]
"""
import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from jsonschema import Draft202012Validator
from openai import OpenAI

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("key")
parser.add_argument("--max-tokens", type=int, default=160)
parser.add_argument("--seeds", type=int, default=2)
args = parser.parse_args()
client = OpenAI(base_url=args.base + "/v1", api_key=args.key, max_retries=0, timeout=300)
MODEL = "smollm2-135m"
here = os.path.dirname(os.path.abspath(__file__))
corpus = json.load(open(os.path.join(here, "..", "ApusGrammarTests", "Fixtures", "schemas.json"), encoding="utf-8"))
assert len(corpus) >= 30, f"the corpus has only {len(corpus)} schemas"


def sample(case, seed):
    """One output for `case`: (endpoint, finish_reason, completion_tokens, text)."""
    schema = case["schema"]
    prompt = f"Write one JSON value for the schema '{case['name']}': {json.dumps(schema)}"
    if seed % 2 == 1:
        r = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}], temperature=1, seed=seed,
            max_tokens=args.max_tokens,
            response_format={"type": "json_schema", "json_schema": {"name": "case", "schema": schema, "strict": True}})
        return "chat", r.choices[0].finish_reason, r.usage.completion_tokens, r.choices[0].message.content
    r = client.completions.create(model=MODEL, prompt=prompt + "\n", temperature=1, seed=seed, max_tokens=args.max_tokens,
                                  extra_body={"structured_outputs": {"json": schema}})
    return "completions", r.choices[0].finish_reason, r.usage.completion_tokens, r.choices[0].text


jobs = [(case, seed) for case in corpus for seed in range(1, args.seeds + 1)]
with ThreadPoolExecutor(max_workers=16) as pool:
    results = list(pool.map(lambda job: (job[0], job[1], sample(*job)), jobs))

failures, complete, truncated = [], 0, 0
for case, seed, (endpoint, finish, tokens, text) in results:
    where = f"{case['name']} seed {seed} ({endpoint})"
    if finish == "length":
        truncated += 1
        if tokens != args.max_tokens:
            failures.append(f"{where}: finish_reason length after {tokens} of {args.max_tokens} tokens: {text!r}")
        continue
    if finish != "stop":
        failures.append(f"{where}: finish_reason {finish!r}: {text!r}")
        continue
    complete += 1
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        failures.append(f"{where}: not JSON ({error}): {text!r}")
        continue
    validator = Draft202012Validator(case["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(value))
    if errors:
        failures.append(f"{where}: {errors[0].message}: {text!r}")

print(f"{len(results)} outputs of {len(corpus)} schemas: {complete} complete and valid-checked, "
      f"{truncated} cut by max_tokens {args.max_tokens}, {len(failures)} failures")
for failure in failures:
    print("FAIL", failure)
# Most outputs must finish by themselves, or the check above says little. Seeded sampling is
# batch invariant, so the count is reproducible (62 of 86 on smollm2-135m at 160 tokens: at
# temperature 1 the small model often writes strings until max_tokens).
if complete < 0.6 * len(results):
    print(f"FAIL only {complete} of {len(results)} outputs completed within {args.max_tokens} tokens")
    sys.exit(1)
sys.exit(1 if failures else 0)
