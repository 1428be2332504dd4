#!/usr/bin/env python3
"""Render chat templates with Python jinja2 under Hugging Face's settings and write fixtures.

The Swift conformance tests (Tests/ApusTokenizerTests/ChatTemplateConformanceTests.swift)
render the same templates with the same conversations and compare byte for byte.

Outputs, under Tests/ApusTokenizerTests/Fixtures/templates/:
  conversations.json         the conversations (messages, tools, flags) every template gets
  models/<model>.jinja       `tokenizer.chat_template` of our real models (read from the GGUF)
  expected/<template>.json   {conversation name: {"output": str} | {"error": str}}
                             for our models and every llama.cpp models/templates/*.jinja

The environment mirrors transformers' `_compile_jinja_template`:
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols
extension and the `{% generation %}` tag, `raise_exception`, `strftime_now` and a `tojson`
filter that is json.dumps with ensure_ascii=False (no HTML escaping). `strftime_now` uses a
fixed date so the fixtures are reproducible; the Swift side passes the same date.

Usage: python3 scripts/make-template-fixtures.py [--models DIR] [--llama-cpp DIR]
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime.datetime(2026, 1, 15, 9, 30, 0)
BOS = "<|bos|>"
EOS = "<|eos|>"
OUR_MODELS = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. Zürich"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web.",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}},
            "required": ["query"],
        },
    },
}
TOOL_CALL = {
    "id": "call_0001",
    "type": "function",
    "function": {"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}},
}

CONVERSATIONS = [
    {
        "name": "system_user",
        "add_generation_prompt": True,
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Hello! What is 2 + 2?"},
        ],
    },
    {
        "name": "user_only",
        "add_generation_prompt": True,
        "messages": [{"role": "user", "content": "  Write a haiku about \"rain\" — please.\n"}],
    },
    {
        "name": "multi_turn",
        "add_generation_prompt": True,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi there"},
            {"role": "assistant", "content": "Hello! How can I help?"},
            {"role": "user", "content": "Tell me a joke about café culture 😀"},
        ],
    },
    {
        "name": "multi_turn_no_prompt",
        "add_generation_prompt": False,
        "messages": [
            {"role": "user", "content": "What's the capital of France?"},
            {"role": "assistant", "content": "Paris."},
            {"role": "user", "content": "And of Italy?"},
            {"role": "assistant", "content": "Rome."},
        ],
    },
    {
        "name": "content_parts",
        "add_generation_prompt": True,
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Describe this in one line."}]},
        ],
    },
    {
        "name": "tools_user",
        "add_generation_prompt": True,
        "tools": [WEATHER_TOOL, SEARCH_TOOL],
        "messages": [{"role": "user", "content": "What's the weather in Zürich?"}],
    },
    {
        "name": "tools_call_and_result",
        "add_generation_prompt": True,
        "tools": [WEATHER_TOOL],
        "messages": [
            {"role": "system", "content": "You can call tools."},
            {"role": "user", "content": "What's the weather in Zürich?"},
            {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
            {"role": "tool", "tool_call_id": "call_0001", "name": "get_weather",
             "content": "{\"temperature\": 21, \"sky\": \"clear\"}"},
        ],
    },
]


class GenerationTag(Extension):
    """`{% generation %}...{% endgeneration %}`: renders its body (transformers' AssistantTracker)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render_all(env, source):
    """Renders every conversation; a compile error becomes every conversation's expected error."""
    results = {}
    try:
        template = env.from_string(source)
    except Exception as error:  # jinja2 refused the template itself
        message = f"{type(error).__name__}: {error}"
        return {c["name"]: {"error": message} for c in CONVERSATIONS}
    for conversation in CONVERSATIONS:
        context = {
            "messages": conversation["messages"],
            "add_generation_prompt": conversation["add_generation_prompt"],
            "bos_token": BOS,
            "eos_token": EOS,
            # transformers always passes these two, as None when the caller gave none.
            "tools": conversation.get("tools"),
            "documents": None,
        }
        try:
            results[conversation["name"]] = {"output": template.render(**context)}
        except Exception as error:
            results[conversation["name"]] = {"error": f"{type(error).__name__}: {error}"}
    return results


def write_json(path, value, sort_keys=True):
    """Writes JSON; conversations keep key order because templates print dicts in that order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1, sort_keys=sort_keys) + "\n",
                    encoding="utf-8")


def main():
    home = Path.home()
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default=os.environ.get("APUS_MODELS", home / ".cache/apus/models"))
    parser.add_argument("--llama-cpp", default=os.environ.get("APUS_LLAMA_CPP_DIR", home / ".cache/apus/llama-cpp"))
    args = parser.parse_args()

    root = Path(__file__).resolve().parent.parent / "Tests/ApusTokenizerTests/Fixtures/templates"
    env = make_environment()
    write_json(root / "conversations.json", sort_keys=False, value=
               {"bos_token": BOS, "eos_token": EOS, "now": FIXED_NOW.isoformat(),
                "conversations": CONVERSATIONS})

    from gguf import GGUFReader
    for model in OUR_MODELS:
        path = Path(args.models) / f"{model}.gguf"
        if not path.exists():
            print(f"skip {model}: {path} missing", file=sys.stderr)
            continue
        field = GGUFReader(str(path)).fields.get("tokenizer.chat_template")
        if field is None:
            print(f"{model}: no tokenizer.chat_template", file=sys.stderr)
            continue
        source = field.contents()
        (root / "models").mkdir(parents=True, exist_ok=True)
        (root / "models" / f"{model}.jinja").write_text(source, encoding="utf-8")
        write_json(root / "expected" / f"model-{model}.json", render_all(env, source))

    templates = sorted((Path(args.llama_cpp) / "models/templates").glob("*.jinja"))
    for template_path in templates:
        source = template_path.read_text(encoding="utf-8")
        write_json(root / "expected" / f"{template_path.stem}.json", render_all(env, source))
    print(f"wrote fixtures for {len(templates)} llama.cpp templates to {root}")


if __name__ == "__main__":
    main()
