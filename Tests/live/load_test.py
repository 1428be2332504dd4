"""Server overhead figures: C concurrent streaming completions (I prompt tokens, O output
tokens, ignore_eos) through HTTP — output tokens/s — while /health is polled every 20 ms
(p50/p99 latency). Usage: load_test.py BASE_URL [--concurrency 16] [--requests 64] [--input-len 128] [--output-len 128]
[--extra-body JSON] [--keep-eos] [--temperature T]. `--extra-body '{"response_format": ...}'` with
`--keep-eos` measures constrained decoding (the grammar, not max_tokens, ends each output).
"""
import argparse
import json
import statistics
import threading
import time
import http.client
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("--key", default="")
parser.add_argument("--concurrency", type=int, default=16)
parser.add_argument("--requests", type=int, default=64)
parser.add_argument("--input-len", type=int, default=128)
parser.add_argument("--output-len", type=int, default=128)
parser.add_argument("--extra-body", default="{}", help="JSON object merged into every request body")
parser.add_argument("--keep-eos", action="store_true", help="do not send ignore_eos (outputs may end early)")
parser.add_argument("--temperature", type=float, default=0)
args = parser.parse_args()
url = urllib.parse.urlparse(args.base)
headers = {"Content-Type": "application/json"}
if args.key:
    headers["Authorization"] = f"Bearer {args.key}"


def connection():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=600)


# A prompt of exactly input-len tokens: distinct per request so the prefix cache does not help.
def prompt_ids(i):
    return [(1000 + 37 * i + 13 * k) % 40000 + 100 for k in range(args.input_len)]


lock = threading.Lock()
next_request = 0
output_tokens = 0
ttfts = []
finishes = {}


def worker():
    global next_request, output_tokens
    while True:
        with lock:
            if next_request >= args.requests:
                return
            i = next_request
            next_request += 1
        c = connection()
        body = {"prompt": prompt_ids(i), "max_tokens": args.output_len, "ignore_eos": not args.keep_eos,
                "temperature": args.temperature, "seed": i, "stream": True, "stream_options": {"include_usage": True}}
        body.update(json.loads(args.extra_body))
        start = time.time()
        c.request("POST", "/v1/completions", json.dumps(body), headers)
        r = c.getresponse()
        first = None
        usage = None
        for line in r:
            line = line.strip()
            if not line.startswith(b"data: ") or line == b"data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk["choices"] and first is None:
                first = time.time() - start
            for choice in chunk["choices"]:
                if choice.get("finish_reason"):
                    with lock:
                        finishes[choice["finish_reason"]] = finishes.get(choice["finish_reason"], 0) + 1
            if chunk.get("usage"):
                usage = chunk["usage"]
        c.close()
        with lock:
            output_tokens += usage["completion_tokens"]
            ttfts.append(first)


health = []
stop = threading.Event()


def poll_health():
    c = connection()
    while not stop.is_set():
        t = time.perf_counter()
        c.request("GET", "/health")
        c.getresponse().read()
        health.append(time.perf_counter() - t)
        time.sleep(0.02)


start = time.time()
threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
poller = threading.Thread(target=poll_health)
poller.start()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - start
stop.set()
poller.join()
health.sort()
print(json.dumps({
    "requests": args.requests, "concurrency": args.concurrency, "input_len": args.input_len, "output_len": args.output_len,
    "seconds": round(elapsed, 2), "output_tokens": output_tokens, "output_tokens_per_second": round(output_tokens / elapsed, 1),
    "finish_reasons": finishes,
    "mean_ttft_s": round(statistics.mean(ttfts), 3),
    "health_p50_ms": round(health[len(health) // 2] * 1000, 2), "health_p99_ms": round(health[int(len(health) * 0.99)] * 1000, 2),
    "health_samples": len(health)}))
