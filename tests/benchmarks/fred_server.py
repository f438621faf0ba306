"""A stand-in for FRED's keyless CSV endpoint, run as its own process by bench_live_fetch.py.

`python fred_server.py FILES.json PORT_FILE`: serves `/graph/fredgraph.csv?id=<ID>` from the files
named in FILES.json ({id: path}), answers every request after 100 ms, and enforces 2 requests/s
with a token bucket (2 tokens, refilled at 2/s): beyond it, 429 with Retry-After: 1. An id it does
not hold gets 400, as FRED answers an unknown series. `/_stats` returns the counts as JSON
(not rate limited) and `/_reset` zeroes them. The chosen port is written to PORT_FILE.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

LATENCY_S = 0.1
RATE_PER_S = 2.0


class RateLimitedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files: dict[str, bytes]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.files = files
        self.lock = threading.Lock()
        self.tokens = RATE_PER_S
        self.refilled = time.monotonic()
        self.requests = 0
        self.rejected = 0

    def admit(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(RATE_PER_S, self.tokens + (now - self.refilled) * RATE_PER_S)
            self.refilled = now
            self.requests += 1
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            self.rejected += 1
            return False


class Handler(BaseHTTPRequestHandler):
    server: RateLimitedServer
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server offers

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path in ("/_stats", "/_reset"):
            with self.server.lock:
                stats = {"requests": self.server.requests, "rejected": self.server.rejected}
                if parts.path == "/_reset":
                    self.server.requests = self.server.rejected = 0
            self._send(200, json.dumps(stats).encode(), {"Content-Type": "application/json"})
            return
        admitted = self.server.admit()
        time.sleep(LATENCY_S)
        series = (parse_qs(parts.query).get("id") or [""])[0]
        if not admitted:
            self._send(429, b"Too Many Requests", {"Retry-After": "1"})
        elif parts.path != "/graph/fredgraph.csv" or series not in self.server.files:
            self._send(400, b"Bad Request. The series does not exist.")
        else:
            self._send(200, self.server.files[series], {"Content-Type": "text/csv"})

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    paths = json.loads(Path(sys.argv[1]).read_text())
    server = RateLimitedServer({key: Path(path).read_bytes() for key, path in paths.items()})
    Path(sys.argv[2]).write_text(str(server.server_port))
    server.serve_forever()


if __name__ == "__main__":
    main()
