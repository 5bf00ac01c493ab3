#!/usr/bin/python3
"""A fake of the six platform APIs vigile-act calls, for the integration tests.

    fake_platforms.py PORT LOG

Serves http://127.0.0.1:PORT/<platform>/... for facebook, instagram, youtube, telegram,
x and whatsapp, and appends every request it receives to LOG as a JSON line (platform,
method, path with query, Authorization, Content-Type, body, time) before answering, so
a test sees what reached the platform even when the answer never left.

By default each platform answers as it does on success. POST /_rules (a JSON list)
replaces the rules: the first rule whose "match" is a substring of the request line
plus its Authorization header answers, with its "responses" in turn (the last one
repeats): {"status": 429, "headers": {"Retry-After": "2"}, "body": "...",
"delay_ms": 300, "drop": true}. "drop" closes the connection without an answer.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
RULES = []
SUCCESS = {
    "facebook": (200, '{"success":true}'),
    "instagram": (200, '{"success":true}'),
    "youtube": (204, ""),
    "telegram": (200, '{"ok":true,"result":true}'),
    "x": (200, '{"data":{"hidden":true}}'),
    "whatsapp": (200, '{"messaging_product":"whatsapp","messages":[{"id":"wamid.1"}]}'),
}


def pick(line):
    with LOCK:
        for rule in RULES:
            if rule["match"] in line:
                responses = rule["responses"]
                answer = responses[min(rule["used"], len(responses) - 1)]
                rule["used"] += 1
                return answer
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        data = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if self.path == "/_rules":
            with LOCK:
                RULES[:] = [dict(r, used=0) for r in json.loads(body)]
            return self.answer(200, "{}")
        platform = self.path.split("/")[1]
        auth = self.headers.get("Authorization") or ""
        record = {"platform": platform, "method": self.command,
                  "path": self.path[len(platform) + 1:], "authorization": auth,
                  "content_type": self.headers.get("Content-Type") or "", "body": body,
                  "time": time.time()}
        with LOCK, open(LOG, "a") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        rule = pick(self.command + " " + self.path + " " + auth)
        if rule and rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000)
        if rule and rule.get("drop"):
            self.close_connection = True
            return
        if rule:
            return self.answer(rule.get("status", 200), rule.get("body", ""), rule.get("headers"))
        status, ok = SUCCESS.get(platform, (404, '{"error":"no such platform"}'))
        self.answer(status, ok)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client killed mid-answer (the kill -9 test) is expected


if __name__ == "__main__":
    LOG = sys.argv[2]
    server = Server(("127.0.0.1", int(sys.argv[1])), Handler)
    server.serve_forever()
