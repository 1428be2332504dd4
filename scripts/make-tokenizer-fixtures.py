#!/usr/bin/env python3
"""Make the tokenizer conformance fixtures: a corpus of varied strings and, for each real
model, the token ids llama.cpp (via llama-cpp-python, vocab_only) produces for them.

    python3 scripts/make-tokenizer-fixtures.py [MODELS_DIR [LLAMA_CPP_MODELS_DIR]]

MODELS_DIR defaults to ~/.cache/apus/models, LLAMA_CPP_MODELS_DIR to
~/.cache/apus/llama-cpp/models (scripts/fetch-llama-cpp-sdist.sh). Writes
Tests/ApusTokenizerTests/Fixtures/tokenizer-corpus.json (the strings) and
Tests/ApusTokenizerTests/Fixtures/ids-<model>.json (per string: ids with add_special and
without parsing specials, ids when parsing specials if different, and llama.cpp's
detokenized text when it differs from the input). qwen2.5-coder-1.5b shares the 0.5B's
tokenizer; it is included when its file is present.

It also writes ids-vocab-<name>.json for llama.cpp's vocabulary-only files that ship
without .inp/.out tests (gpt-neox and aquila use the "default" pre-tokenizer, baichuan is
SentencePiece without a pre-tokenizer name), so those paths are checked too.
"""
import json
import os
import random
import sys

import llama_cpp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIXTURES = os.path.join(ROOT, "Tests", "ApusTokenizerTests", "Fixtures")
MODELS = ["smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]
UNTESTED_VOCABS = ["gpt-neox", "aquila", "baichuan"]

PROSE = [
    "The quick brown fox jumps over the lazy dog.",
    "Hello, world! How are you today?",
    "I'm sure they'll say it's fine; we've done it before, haven't we? DON'T WORRY, I'LL BE THERE.",
    "Le cœur a ses raisons que la raison ne connaît point.",
    "Über den Wolken muss die Freiheit wohl grenzenlos sein.",
    "¿Dónde está la biblioteca? ¡Está allí!",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Τάχιστη αλώπηξ βαφής ψημένη γη, δρασκελίζει υπέρ νωθρού κυνός.",
    "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر",
    "דג סקרן שט בים מאוכזב ולפתע מצא חברה",
    "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले",
    "我能吞下玻璃而不伤身体。天下大势，分久必合，合久必分。",
    "いろはにほへと ちりぬるを わかよたれそ つねならむ",
    "키스의 고유조건은 입술끼리 만나야 하고 특별한 기술은 필요치 않다.",
    "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า กว่าบรรดาฝูงสัตว์เดรัจฉาน",
    "Tiếng Việt có dấu: Trăm năm trong cõi người ta.",
    "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
    "Zażółć gęślą jaźń. Příliš žluťoučký kůň úpěl ďábelské ódy.",
    "Café naïve résumé coöperate façade — “smart quotes” and ‘single’ ones…",
    "e\u0301 vs \u00e9; a\u0308 vs \u00e4; combining: n\u0303 o\u0302\u0323",
    "Ελληνικά, Русский, עברית, العربية, हिन्दी, 中文, 日本語, 한국어",
    "Mixed 中文 and English words, with 数字 123 and ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３.",
]

CODE = [
    "def add(a, b):\n\treturn a + b\n",
    "for (int i = 0; i < n; ++i) {\n    sum += x[i] * y[i];\n}\n",
    "func greet(_ name: String) -> String {\n        return \"Hello, \\(name)!\"\n}\n",
    "    indented with four spaces\n        and eight\n\t\tand two tabs\n",
    "{\"key\": \"value\", \"list\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true}}",
    "<html>\n  <body>\n    <div class=\"x\">Hi &amp; bye</div>\n  </body>\n</html>",
    "SELECT id, name FROM users WHERE age >= 18 ORDER BY name DESC;",
    "x = [i**2 for i in range(10) if i % 2 == 0]  # squares of evens",
    "if (a && b || !c) { return a->b.c[0]; }  // pointer stuff",
    "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }\n",
    "const f = async (x) => { await g(x); };\r\nexport default f;\r\n",
    "git commit -m \"fix: handle CRLF\" && git push origin main",
    "    \n    \n\n\n    code after blank lines",
    "a\tb\t\tc\t\t\td", "trailing spaces   ", "   leading spaces", "multiple     internal      spaces",
    "path/to/file_name-v2.tar.gz", "https://example.com/search?q=swift+llm&page=2#top",
    "user@example.com", "snake_case_identifier camelCaseIdentifier PascalCase kebab-case",
    "0x1F 0b1010 0o777 1_000_000 3.14159 -2.5e-10 6.022e23",
    "matrix[i][j] += alpha * (b[k] - c[k]) / 2.0;",
    "```swift\nlet x = 1\n```", "@property\ndef name(self) -> str: ...",
]

NUMBERS = [
    "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678901234567890",
    "3.14", "1,234,567.89", "2024-11-22", "12:34:56", "+1 (555) 123-4567", "١٢٣٤٥", "२०२४", "ⅠⅡⅢⅣ", "½ ¾ ²³",
    "Version 1.2.3-beta.4", "00000", "9 99 999 9999",
]

EMOJI = [
    "😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇸🇫🇷🇯🇵", "❤️‍🔥", "🧑🏿‍💻 coding", "I ❤ Swift 🚀!", "✨🎉🎊✨",
    "🤖: beep boop", "emoji🙂inside🙃words",
]

WHITESPACE = [
    "", " ", "  ", "   ", "\n", "\n\n", "\n\n\n\n", "\t", "\t\t", "\r\n", "\r\n\r\n", "\r", " \n ", "\u00a0",
    "\u3000", "\u2003\u2003", " \t \n \r\n ", "line1\r\nline2\r\n", "a\rb", "\n \n \n", "        ",
]

LONG = [
    "Pneumonoultramicroscopicsilicovolcanoconiosis", "Donaudampfschifffahrtsgesellschaftskapitän",
    "a" * 300, "ab" * 150, "x" * 1000, "abc" * 5 + " " * 100 + "def",
    "supercalifragilisticexpialidocious" * 5, "=" * 80, "-" * 120, "." * 50,
    "аааааааааааааааааааааааааааааааааааааааааааааааа", "漢" * 64,
]

SPECIAL = [
    "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n",
    "<start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n",
    "<|endoftext|>", "text <|endoftext|> more", "<s>hello</s>", "<bos>x<eos>", "<unk>",
    "a user typing <|im_end|> in a message", "<tool_call>{\"name\": \"f\"}</tool_call>",
    "<|im_start|><|im_start|>", "<<|im_start|>>", "<|im_start", "im_start|>",
    "<start_of_image>", "[multimodal]", "<mask>", "<pad>", "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
]

PUNCT = [
    "Hello!!!", "What?!?!", "Wait... what...", "(parenthetical) [bracketed] {braced}", "«quoted» „german“",
    "'single' \"double\" `back`", "it's", "it 's", "'s 't 're 've 'm 'll 'd", "'S 'T 'RE 'VE 'M 'LL 'D",
    "don't can't won't shouldn't", "rock 'n' roll", "--flag=value", "a,b;c:d", "!@#$%^&*()_+-=[]{}|;':\",./<>?",
    "§ ¶ † ‡ • ‰ ′ ″ ‹ › ⁂", "→ ← ↑ ↓ ⇒ ∀ ∃ ∈ ∉ ∑ ∏ √ ∞ ≈ ≠ ≤ ≥", "© ® ™ ℃ ℉ № ℮",
]


def build_corpus():
    corpus = []
    for group in (PROSE, CODE, NUMBERS, EMOJI, WHITESPACE, LONG, SPECIAL, PUNCT):
        corpus.extend(group)
    # Deterministic mixtures: joins of random pieces with varied separators.
    rng = random.Random(20261122)
    pieces = PROSE + CODE + NUMBERS + EMOJI + PUNCT + ["\n", "\t", "  ", " ", "\r\n"]
    separators = [" ", "\n", "\t", "  ", "", "\r\n", "\n\n", " \n"]
    while len(corpus) < 330:
        count = rng.randint(2, 4)
        text = ""
        for index in range(count):
            piece = rng.choice(pieces)
            if rng.random() < 0.3:
                start = rng.randint(0, max(0, len(piece) - 1))
                piece = piece[start:start + rng.randint(1, 40)]
            text += piece + (rng.choice(separators) if index + 1 < count else "")
        corpus.append(text)
    return corpus


def detokenize(llm, ids):
    buffer = bytes(len(ids) * 64 + 64)
    array = (llama_cpp.llama_token * len(ids))(*ids)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    size = llama_cpp.llama_detokenize(vocab, array, len(ids), buffer, len(buffer), True, False)
    return buffer[:size].decode("utf-8", errors="replace")


def write_cases(llm, corpus, out_name):
    cases = []
    for text in corpus:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        case = {"ids": ids}
        special_ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
        if special_ids != ids:
            case["special"] = special_ids
        decoded = detokenize(llm, ids)
        if decoded != text:
            case["decoded"] = decoded
        cases.append(case)
    with open(os.path.join(FIXTURES, out_name), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in cases) + "\n]\n")
    return len(cases)


def main():
    models_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/apus/models")
    vocab_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.expanduser("~/.cache/apus/llama-cpp/models")
    os.makedirs(FIXTURES, exist_ok=True)
    corpus = build_corpus()
    with open(os.path.join(FIXTURES, "tokenizer-corpus.json"), "w") as f:
        json.dump(corpus, f, ensure_ascii=False, indent=0)
    for name in MODELS:
        path = os.path.join(models_dir, name + ".gguf")
        if not os.path.exists(path):
            print(f"skipping {name}: {path} not found")
            continue
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        print(f"{name}: {write_cases(llm, corpus, f'ids-{name}.json')} cases")
    for name in UNTESTED_VOCABS:
        path = os.path.join(vocab_dir, f"ggml-vocab-{name}.gguf")
        if not os.path.exists(path):
            print(f"skipping vocabulary {name}: {path} not found")
            continue
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        print(f"vocab {name}: {write_cases(llm, corpus, f'ids-vocab-{name}.json')} cases")


main()
