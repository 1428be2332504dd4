"""Hostile sweep of `apus serve`: malformed, out-of-range and abusive requests each get the
right 4xx with an OpenAI error object, the server stays healthy, and a reference request's
output never changes. Usage: hostile_sweep.py BASE_URL API_KEY
"""
import json
import sys
import threading
import time

from common import Server, check, raw_socket

server = Server(sys.argv[1], sys.argv[2])
CHAT, COMP = "/v1/chat/completions", "/v1/completions"
MSG = [{"role": "user", "content": "hi"}]


def chat(**fields):
    return {"model": "m", "messages": MSG, "max_tokens": 4, **fields}


def comp(**fields):
    return {"model": "m", "prompt": "hi", "max_tokens": 4, **fields}


deep = ("[" * 10000) + ("]" * 10000)
# (name, path, raw body or dict, expected status, expected param or None)
CASES = [
    ("not json", CHAT, b"hello", 400, None),
    ("empty body", CHAT, b"", 400, None),
    ("truncated json", CHAT, b'{"messages": [', 400, None),
    ("invalid utf-8", CHAT, b'{"messages": [{"role": "user", "content": "\xff\xfe"}]}', 400, None),
    ("NaN literal", CHAT, b'{"messages": [{"role": "user", "content": "x"}], "temperature": NaN}', 400, None),
    ("nested 10000 deep", CHAT, ('{"messages": ' + deep + '}').encode(), 400, None),
    ("body is an array", CHAT, b"[1, 2]", 400, None),
    ("body is null", CHAT, b"null", 400, None),
    ("messages missing", CHAT, {"model": "m"}, 400, "messages"),
    ("messages a string", CHAT, {"messages": "hi"}, 400, "messages"),
    ("messages empty", CHAT, {"messages": []}, 400, "messages"),
    ("unknown role", CHAT, {"messages": [{"role": "wizard", "content": "x"}]}, 400, "messages[0].role"),
    ("function role", CHAT, {"messages": [{"role": "function", "name": "f", "content": "x"}]}, 400, "messages[0].role"),
    ("role missing", CHAT, {"messages": [{"content": "x"}]}, 400, "messages[0].role"),
    ("content missing", CHAT, {"messages": [{"role": "user"}]}, 400, "messages[0].content"),
    ("content a number", CHAT, {"messages": [{"role": "user", "content": 42}]}, 400, "messages[0].content"),
    ("image part", CHAT, {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}, 400,
     "messages[0].content[0].type"),
    ("temperature string", CHAT, chat(temperature="hot"), 400, "temperature"),
    ("temperature negative", CHAT, chat(temperature=-1), 400, "temperature"),
    ("temperature huge", CHAT, chat(temperature=1e308), 400, "temperature"),
    ("temperature overflow", CHAT, b'{"messages": [{"role": "user", "content": "x"}], "temperature": 1e999}', 400, None),
    ("top_p zero", CHAT, chat(top_p=0), 400, "top_p"),
    ("top_p two", CHAT, chat(top_p=2), 400, "top_p"),
    ("n zero", CHAT, chat(n=0), 400, "n"),
    ("n huge", CHAT, chat(n=1000), 400, "n"),
    ("n fractional", CHAT, chat(n=1.5), 400, "n"),
    ("max_tokens negative", CHAT, chat(max_tokens=-5), 400, "max_tokens"),
    ("max_tokens zero", CHAT, chat(max_tokens=0), 400, "max_tokens"),
    ("max_tokens 1e30", CHAT, chat(max_tokens=1e30), 400, "max_tokens"),
    ("max_tokens string", CHAT, chat(max_tokens="ten"), 400, "max_tokens"),
    ("max_completion_tokens negative", CHAT, chat(max_completion_tokens=-1), 400, "max_completion_tokens"),
    ("stop a number", CHAT, chat(stop=5), 400, "stop"),
    ("stop 100 strings", CHAT, chat(stop=[f"s{i}" for i in range(100)]), 400, "stop"),
    ("stop empty string", CHAT, chat(stop=[""]), 400, "stop"),
    ("seed string", CHAT, chat(seed="abc"), 400, "seed"),
    ("seed 1e40", CHAT, chat(seed=1e40), 400, "seed"),
    ("logit_bias bad key", CHAT, chat(logit_bias={"abc": 1}), 400, "logit_bias"),
    ("logit_bias out of range", CHAT, chat(logit_bias={"1": 500}), 400, "logit_bias"),
    ("logit_bias token out of vocab", CHAT, chat(logit_bias={"99999999": -100}), 400, "logit_bias"),
    ("logprobs string", CHAT, chat(logprobs="yes"), 400, "logprobs"),
    ("top_logprobs 50", CHAT, chat(logprobs=True, top_logprobs=50), 400, "top_logprobs"),
    ("presence_penalty 3", CHAT, chat(presence_penalty=3), 400, "presence_penalty"),
    ("frequency_penalty -3", CHAT, chat(frequency_penalty=-3), 400, "frequency_penalty"),
    ("stream string", CHAT, chat(stream="yes"), 400, "stream"),
    ("stream_options without stream", CHAT, chat(stream_options={"include_usage": True}), 400, "stream_options"),
    ("response_format unsupported keyword", CHAT,
     chat(response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object", "not": {}}}}), 400,
     "response_format"),
    ("response_format unknown type", CHAT, chat(response_format={"type": "yaml"}), 400, "response_format.type"),
    ("tools not a list", CHAT, chat(tools={"type": "function"}), 400, "tools"),
    ("min_p 2", CHAT, chat(min_p=2), 400, "min_p"),
    ("top_k -5", CHAT, chat(top_k=-5), 400, "top_k"),
    ("repetition_penalty 0", CHAT, chat(repetition_penalty=0), 400, "repetition_penalty"),
    ("min_tokens above max_tokens", CHAT, chat(min_tokens=10, max_tokens=2), 400, "min_tokens"),
    ("priority string", CHAT, chat(priority="high"), 400, "priority"),
    ("prompt missing", COMP, {"model": "m"}, 400, "prompt"),
    ("prompt empty list", COMP, comp(prompt=[]), 400, "prompt"),
    ("prompt negative token", COMP, comp(prompt=[-1]), 400, "prompt"),
    ("prompt token past vocab", COMP, comp(prompt=[99999999]), 400, "prompt"),
    ("prompt empty token list", COMP, comp(prompt=[[1, 2], []]), 400, "prompt"),
    ("prompt object", COMP, comp(prompt={"a": 1}), 400, "prompt"),
    ("prompt mixed list", COMP, comp(prompt=["a", 1]), 400, "prompt"),
    ("too many prompts", COMP, comp(prompt=["a"] * 1000), 400, "prompt"),
    ("logprobs 50", COMP, comp(logprobs=50), 400, "logprobs"),
    ("echo with logprobs", COMP, comp(echo=True, logprobs=1), 400, "echo"),
    ("suffix", COMP, comp(suffix="end"), 400, "suffix"),
    ("best_of above n", COMP, comp(best_of=3), 400, "best_of"),
    ("detokenize bad id", "/detokenize", {"tokens": [-1]}, 400, "tokens"),
    ("detokenize wrong type", "/detokenize", {"tokens": "x"}, 400, "tokens"),
    ("tokenize nothing", "/tokenize", {}, 400, "prompt"),
    ("unknown route", "/v1/nothing", {}, 404, None),
]


def run_case(name, path, body, status, param):
    got, headers, data = server.request("POST", path, body)
    check(got == status, f"{name}: status {got}, expected {status}: {data[:300]!r}")
    error = json.loads(data)["error"]
    check(isinstance(error.get("message"), str) and error.get("type"), f"{name}: not an OpenAI error object: {data[:300]!r}")
    if param is not None:
        check(error.get("param") == param, f"{name}: param {error.get('param')!r}, expected {param!r}")


def ten_megabytes():
    """A 10 MB body gets 413 (the server may close the connection while it is still being sent)."""
    s = raw_socket(server)
    body = b'{"messages": [{"role": "user", "content": "' + b"a" * (10 << 20) + b'"}]}'
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + f"Authorization: Bearer {server.key}\r\nContent-Length: {len(body)}\r\n\r\n".encode())
    try:
        s.sendall(body)
    except (BrokenPipeError, ConnectionResetError):
        pass
    response = b""
    try:
        while b"\r\n\r\n" not in response:
            chunk = s.recv(4096)
            if not chunk:
                break
            response += chunk
    except ConnectionResetError:
        pass
    s.close()
    check(response.startswith(b"HTTP/1.1 413"), f"10 MB body: {response[:200]!r}")


def accepted_oddities():
    """Unknown fields are ignored; control-token text and an empty user message are fine."""
    for body in [chat(unknown_field={"x": [1, 2]}, temperature=0), chat(messages=[{"role": "user", "content": ""}]),
                 chat(messages=[{"role": "user", "content": "<|im_start|>system<|im_end|><|endoftext|>"}]),
                 chat(messages=[{"role": "developer", "content": "be brief"}, {"role": "user", "content": [{"type": "text", "text": "hi"}]}]),
                 comp(prompt=[1, 2, 3]), chat(logit_bias={"1": -100}), chat(priority=-5, top_k=-1, min_p=0.1, repetition_penalty=1.1)]:
        status, _, data = server.request("POST", CHAT if "messages" in body else COMP, body)
        check(status == 200, f"valid body refused: {body}: {data[:300]!r}")


def slow_readers(count=64):
    """`count` streaming clients that read slowly; meanwhile /health answers and the reference is unchanged."""
    sockets = []
    body = json.dumps({"model": "m", "prompt": "Tell me a story:", "max_tokens": 8, "stream": True, "temperature": 0.7}).encode()
    for _ in range(count):
        s = raw_socket(server, timeout=300)
        s.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + f"Authorization: Bearer {server.key}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        sockets.append(s)
    results = [b""] * count

    def read(i, s):
        time.sleep(1.0)
        while not results[i].endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n") and b"[DONE]" not in results[i]:
            chunk = s.recv(64)
            if not chunk:
                break
            results[i] += chunk
            time.sleep(0.02)
        s.close()

    threads = [threading.Thread(target=read, args=(i, s)) for i, s in enumerate(sockets)]
    for t in threads:
        t.start()
    start = time.time()
    check(server.healthy(), "/health while 64 slow clients stream")
    health_seconds = time.time() - start
    check(server.reference_completion() == reference, "reference output changed under load")
    for t in threads:
        t.join(timeout=300)
    done = sum(1 for r in results if b"[DONE]" in r)
    overloaded = sum(1 for r in results if r.startswith(b"HTTP/1.1 429"))
    check(done + overloaded == count, f"{done} finished, {overloaded} got 429, of {count}")
    print(f"ok   {count} slow readers: {done} streamed to [DONE], {overloaded} got 429; /health took {health_seconds * 1000:.1f} ms")


reference = server.reference_completion()
for case in CASES:
    run_case(*case)
    print(f"ok   {case[0]} -> {case[3]}", flush=True)
ten_megabytes()
print("ok   10 MB body -> 413")
accepted_oddities()
print("ok   accepted oddities -> 200")
check(server.healthy() and server.reference_completion() == reference, "server unhealthy or reference changed after the sweep")
slow_readers()
server.wait_idle()
check(server.healthy() and server.reference_completion() == reference, "server unhealthy or reference changed after slow readers")
print(f"hostile sweep passed: {len(CASES) + 2} rejected/accepted cases, 64 slow readers, reference unchanged")
