"""Shared helpers of the live tests of `apus serve`: raw HTTP with the standard library."""
import http.client
import json
import socket
import time
import urllib.parse


class Server:
    """Where the server under test listens, and its API key."""

    def __init__(self, base: str, key: str):
        parsed = urllib.parse.urlparse(base)
        self.host, self.port, self.key = parsed.hostname, parsed.port, key
        self.base = base

    def request(self, method, path, body=None, headers=None, auth=True, timeout=120):
        """One request on a fresh connection: (status, headers, body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        h = {"Content-Type": "application/json"}
        if auth and self.key:
            h["Authorization"] = f"Bearer {self.key}"
        h.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, dict(r.getheaders()), data

    def json(self, method, path, body=None, **kw):
        status, headers, data = self.request(method, path, body, **kw)
        return status, headers, json.loads(data) if data else None

    def metrics(self):
        """The /metrics text as {sample name with labels: value}."""
        _, _, data = self.request("GET", "/metrics", auth=False)
        samples = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    def healthy(self):
        status, _, _ = self.request("GET", "/health", auth=False, timeout=10)
        return status == 200

    def reference_completion(self):
        """A greedy completion whose text must never change while other clients misbehave
        (scheduled first: priority -100, vLLM's sign)."""
        status, _, body = self.json("POST", "/v1/completions", {
            "model": "x", "prompt": "The capital of France is", "max_tokens": 12, "temperature": 0, "priority": -100}, timeout=300)
        assert status == 200, (status, body)
        return body["choices"][0]["text"]

    def wait_idle(self, timeout=30.0):
        """Waits until /metrics shows no running and no waiting request; returns the samples."""
        deadline = time.time() + timeout
        while True:
            m = self.metrics()
            if m.get("apus:num_requests_running", 0) == 0 and m.get("apus:num_requests_waiting", 0) == 0:
                return m
            if time.time() > deadline:
                raise AssertionError(f"requests still running after {timeout} s: {m}")
            time.sleep(0.1)


def raw_socket(server: Server, timeout=30):
    s = socket.create_connection((server.host, server.port), timeout=timeout)
    return s


def check(condition, message):
    if not condition:
        raise AssertionError(message)
