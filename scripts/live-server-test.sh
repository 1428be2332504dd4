#!/usr/bin/env bash
# Live test of `apus serve` (issue 18): starts the server on a free port with smollm2-135m and
# drives it with the official `openai` Python client, the schema corpus under structured output
# (every output validated with `jsonschema`), a hostile sweep of malformed and abusive
# requests, 64 slow-reading clients, and a bounded schemathesis run against /openapi.json; then
# checks 429 + Retry-After on a second, tiny-queue server and that SIGTERM exits 0.
# Needs `swift build -c release --product apus` and the model pulled (`apus pull smollm2-135m`).
# The Python packages live in a cached venv: $APUS_LIVE_VENV or ~/.cache/apus/venv-live-server.
set -euo pipefail
cd "$(dirname "$0")/.."

APUS=.build/release/apus
VENV="${APUS_LIVE_VENV:-$HOME/.cache/apus/venv-live-server}"
if ! "$VENV/bin/python" -c "import openai, schemathesis, jsonschema, rfc3339_validator" 2>/dev/null; then
    echo "== setting up $VENV (openai, schemathesis, jsonschema with its format checkers)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "openai>=1.40" "schemathesis>=4.0" "jsonschema[format-nongpl]>=4.18"
fi
PY="$VENV/bin/python"
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() {  # PORT PID
    for _ in $(seq 1 600); do
        if curl -sf "http://127.0.0.1:$1/health" >/dev/null; then return 0; fi
        if ! kill -0 "$2" 2>/dev/null; then echo "server exited before it was ready"; return 1; fi
        sleep 0.1
    done
    echo "server not ready after 60 s"; return 1
}

KEY="live-$RANDOM-$RANDOM"
PORT=$(free_port)
LOG=$(mktemp)
SMALL_LOG=$(mktemp)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -f "$LOG" "$SMALL_LOG"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- server log (tail)"; tail -n 40 "$LOG"; exit 1; }

echo "== apus serve smollm2-135m on port $PORT"
APUS_API_KEY="$KEY" "$APUS" serve smollm2-135m --port "$PORT" --ctx-size 512 --max-waiting 128 --shutdown-timeout 5 >"$LOG" 2>&1 &
SERVER=$!
PIDS+=("$SERVER")
wait_ready "$PORT" "$SERVER" || fail "not ready"
grep -q "serving smollm2-135m at http://127.0.0.1:$PORT/v1" "$LOG" || fail "no 'serving ... at URL' log line"

BASE="http://127.0.0.1:$PORT"
cd Tests/live
echo "== openai client"
"$PY" test_openai_client.py "$BASE" "$KEY" || fail "openai client tests"
echo "== structured output: the 43-schema corpus at temperature 1, every output validated with jsonschema"
"$PY" test_structured_outputs.py "$BASE" "$KEY" || fail "structured outputs"
echo "== hostile sweep"
"$PY" hostile_sweep.py "$BASE" "$KEY" || fail "hostile sweep"
cd ../..

echo "== schemathesis (bounded) on a server with a 64-token context, so fuzzed max_tokens stay cheap"
FUZZ_PORT=$(free_port)
FUZZ_LOG=$(mktemp)
"$APUS" serve smollm2-135m --port "$FUZZ_PORT" --ctx-size 64 --api-key "$KEY" >"$FUZZ_LOG" 2>&1 &
FUZZ=$!
PIDS+=("$FUZZ")
wait_ready "$FUZZ_PORT" "$FUZZ" || fail "fuzz server not ready"
# Run from a scratch directory: schemathesis writes a .schemathesis/ cache where it runs.
(cd "$(mktemp -d)" && "$VENV/bin/schemathesis" run "http://127.0.0.1:$FUZZ_PORT/openapi.json" --checks not_a_server_error --phases coverage,fuzzing --max-examples 5 --workers 2 \
    -H "Authorization: Bearer $KEY" --request-timeout 120 --no-color) >"$FUZZ_LOG.st" 2>&1 || { tail -n 60 "$FUZZ_LOG.st"; fail "schemathesis"; }
tail -n 6 "$FUZZ_LOG.st"
curl -sf "http://127.0.0.1:$FUZZ_PORT/health" >/dev/null || fail "unhealthy after schemathesis"
kill -TERM "$FUZZ"; wait "$FUZZ" || fail "fuzz server exit code $?"
rm -f "$FUZZ_LOG" "$FUZZ_LOG.st"

echo "== README's serving examples as printed, on a server without a key (qwen2.5-coder-0.5b, trained for tool calls)"
README_PORT=$(free_port)
README_LOG=$(mktemp)
README_MODEL=qwen2.5-coder-0.5b
[ -f "${APUS_MODELS:-$HOME/.cache/apus/models}/$README_MODEL.gguf" ] || README_MODEL=smollm2-135m
"$APUS" serve "$README_MODEL" --port "$README_PORT" --ctx-size 1024 >"$README_LOG" 2>&1 &
README_SERVER=$!
PIDS+=("$README_SERVER")
wait_ready "$README_PORT" "$README_SERVER" || { cat "$README_LOG"; fail "README server not ready"; }
"$PY" Tests/live/test_readme_examples.py "http://127.0.0.1:$README_PORT" README.md || { tail -n 20 "$README_LOG"; fail "README examples"; }
kill -TERM "$README_SERVER"; wait "$README_SERVER" || fail "README server exit code $?"
rm -f "$README_LOG"

echo "== 429 with Retry-After past --max-waiting"
SMALL_PORT=$(free_port)
"$APUS" serve smollm2-135m --port "$SMALL_PORT" --ctx-size 256 --max-seqs 1 --max-waiting 1 >"$SMALL_LOG" 2>&1 &
SMALL=$!
PIDS+=("$SMALL")
wait_ready "$SMALL_PORT" "$SMALL" || { cat "$SMALL_LOG"; fail "small server not ready"; }
"$PY" - "$SMALL_PORT" <<'PYEOF' || fail "overload"
import json, sys, threading, http.client
port = int(sys.argv[1])
results = []
def one():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    c.request("POST", "/v1/completions", json.dumps({"prompt": "Hello", "max_tokens": 16, "ignore_eos": True}),
              {"Content-Type": "application/json"})
    r = c.getresponse(); body = r.read()
    results.append((r.status, r.getheader("Retry-After"), body))
threads = [threading.Thread(target=one) for _ in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
assert len(results) == 8, f"only {len(results)} of 8 requests answered"
codes = sorted(s for s, _, _ in results)
assert 200 in codes and 429 in codes, codes
for status, retry, body in results:
    if status == 429:
        assert retry is not None and int(retry) >= 1, retry
        assert json.loads(body)["error"]["type"] == "rate_limit_error", body
print(f"ok   8 concurrent requests on --max-seqs 1 --max-waiting 1: statuses {codes}")
PYEOF
kill -TERM "$SMALL"; wait "$SMALL" || fail "small server exit code $?"

echo "== graceful shutdown: SIGTERM during a request, exit code 0"
curl -s -o /dev/null -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
    -d '{"prompt": "Count: 1, 2,", "max_tokens": 64, "temperature": 0}' "$BASE/v1/completions" &
CURL=$!
sleep 0.3
kill -TERM "$SERVER"
set +e
wait "$SERVER"; CODE=$?
wait "$CURL"
set -e
[ "$CODE" -eq 0 ] || fail "apus serve exited with $CODE after SIGTERM"
grep -q "finish_reason=" "$LOG" || fail "no per-request log lines"
echo "request log line example:"; grep "finish_reason=" "$LOG" | tail -n 1
echo "== live server test passed"
