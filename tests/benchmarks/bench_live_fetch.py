"""Figure 3: fetching the whole FRED part of the catalog live, from a local server that serves the
snapshot in FRED's keyless layout (`/graph/fredgraph.csv?id=...`), answers each request after
100 ms and enforces 2 requests/s (a token bucket of 2 tokens refilled at 2/s; beyond it: 429
with Retry-After). The lower bound is requests / 2 s."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from _bench import RUNS, SNAPSHOT, Stats, line, load_average, verdict

from flows import catalog, ingest
from flows.config import Settings
from flows.sources import http

LATENCY_S = 0.1
RATE_PER_S = 2.0
TARGET = 1.10  # x the bound


class RateLimitedSnapshotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files: dict[str, bytes]):
        super().__init__(("127.0.0.1", 0), _Handler)
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

    def reset(self) -> None:
        with self.lock:
            self.requests = self.rejected = 0


class _Handler(BaseHTTPRequestHandler):
    server: RateLimitedSnapshotServer

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        admitted = self.server.admit()
        time.sleep(LATENCY_S)
        parts = urlsplit(self.path)
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


def test_live_fetch_against_rate_bound(tmp_path):
    if not (SNAPSHOT / "OPHNFB.csv").is_file():
        pytest.skip(f"the shared snapshot is not at {SNAPSHOT}")
    entries = [e for e in catalog.load_catalog() if e.source == "fred"]
    files = {
        e.remote_id: (SNAPSHOT / f"{e.id}.csv").read_bytes()
        for e in entries
        if (SNAPSHOT / f"{e.id}.csv").is_file()
    }
    server = RateLimitedSnapshotServer(files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = Settings(
        warehouse=tmp_path / "w.duckdb",
        raw_dir=tmp_path / "raw",
        output_dir=tmp_path / "out",
        fred_base_url=f"http://127.0.0.1:{server.server_port}",
        fred_rate_per_s=RATE_PER_S,
        quiet=True,
    )
    load_before = load_average()
    seconds, ratios, requests, rejected = [], [], [], []
    try:
        for _ in range(RUNS):
            http.reset_state()
            server.reset()
            start = time.perf_counter()
            fetched = ingest.fetch_all(entries, settings)
            elapsed = time.perf_counter() - start
            assert len(fetched.downloads) == len(files)
            bound = server.requests / RATE_PER_S
            seconds.append(elapsed)
            ratios.append(elapsed / bound)
            requests.append(server.requests)
            rejected.append(server.rejected)
    finally:
        server.shutdown()
        server.server_close()
        http.reset_state()
    ratio = Stats(ratios)
    bound = max(requests) / RATE_PER_S
    line(
        f"live fetch of {len(entries)} FRED series ({len(files)} served, the rest 400)",
        f"{Stats(seconds).show()} vs bound {bound:.2f} s ({max(requests)} requests / "
        f"{RATE_PER_S:g} per s) = {ratio.median:.3f}x (target <= {TARGET}x: "
        f"{verdict(ratio.median <= TARGET)})",
    )
    line(
        "live fetch: 429 answers",
        f"{max(rejected)} at most per run over {len(rejected)} runs (target 0: "
        f"{verdict(max(rejected) == 0)})",
    )
    line("machine load (1-min average) before / after", f"{load_before} / {load_average()}")
