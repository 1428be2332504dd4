#!/usr/bin/env python3
"""Validates grammar-generated JSON samples with Python's `jsonschema` (formats checked).

Input: a JSON file holding [{"name": ..., "schema": ..., "outputs": ["<json text>", ...]}].
Exit status 0 when every output parses and validates; otherwise prints each failure, exits 1.
Used by Tests/ApusGrammarTests/JSONSchemaCorpusTests.swift (`pip install jsonschema`).
"""
import json
import sys

import jsonschema
from jsonschema import Draft202012Validator


def main(path):
    cases = json.load(open(path, encoding="utf-8"))
    failures = 0
    checked = 0
    for case in cases:
        validator = Draft202012Validator(case["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
        for text in case["outputs"]:
            checked += 1
            try:
                instance = json.loads(text)
            except json.JSONDecodeError as error:
                print(f"{case['name']}: not JSON ({error}): {text!r}")
                failures += 1
                continue
            errors = list(validator.iter_errors(instance))
            if errors:
                failures += 1
                print(f"{case['name']}: {errors[0].message}: {text!r}")
    print(f"checked {checked} outputs of {len(cases)} schemas, {failures} invalid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
