"""Runs the serving examples of README.md as printed (only the port changed) against a live
`apus serve` without an API key: every `curl` block of the "Serving" section must answer with
JSON objects that carry no `error`, and every Python block must exit 0. Keeps the README's
promise that its examples work.

Usage: test_readme_examples.py BASE_URL README_PATH
"""
import json
import re
import subprocess
import sys

base, readme = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
section = text[text.index("## Serving"):]
section = section[:section.index("\n## ", 1)]
blocks = re.findall(r"```(sh|python)\n(.*?)```", section, re.S)
port = base.rsplit(":", 1)[1]


def objects(output):
    """The JSON objects curl printed one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    output = output.strip()
    while at < len(output):
        value, end = decoder.raw_decode(output, at)
        found.append(value)
        at = end
        while at < len(output) and output[at].isspace():
            at += 1
    return found


failures, ran = [], 0
for kind, body in blocks:
    if "127.0.0.1:8080" not in body or (kind == "sh" and "curl" not in body):
        continue  # the `apus serve` command line itself
    code = body.replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    first = body.strip().splitlines()[0][:70]
    ran += 1
    if kind == "sh":
        done = subprocess.run(["bash", "-e", "-c", code], capture_output=True, text=True, timeout=300)
        try:
            answers = objects(done.stdout)
        except json.JSONDecodeError as error:
            failures.append(f"{first}: not JSON ({error}): {done.stdout[:300]!r}")
            continue
        bad = [a for a in answers if "error" in a or not a.get("choices")]
        if done.returncode != 0 or not answers or bad:
            failures.append(f"{first}: exit {done.returncode}, {len(answers)} answers, bad: {json.dumps(bad)[:400]}")
        else:
            print(f"ok   sh  {first} ({len(answers)} answers)")
    else:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            failures.append(f"{first}: exit {done.returncode}: {done.stderr[-600:]}")
        else:
            print(f"ok   py  {first}: {done.stdout.strip()[:100]!r}")

print(f"{ran} README examples run, {len(failures)} failures")
for failure in failures:
    print("FAIL", failure)
assert ran >= 5, f"only {ran} examples found in README's Serving section"
sys.exit(1 if failures else 0)
