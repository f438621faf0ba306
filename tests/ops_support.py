"""Helpers for the operations tests: a fake FRED + BLS server on 127.0.0.1 that can misbehave on
demand, a small hand-made catalog and data, and a content digest of a warehouse."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import struct
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

# The four series the C1 marts need (hand-made values, not real data) and one BLS API series.
FRED_SERIES = {"OPHNFB": "Q", "COMPRNFB": "Q", "AHETPI": "M", "CPIAUCSL": "M"}
BLS_SERIES = "CES0500000008"
CATALOG_HEADER = (
    "id,source,live_id,title,units,frequency,seasonal,analyses,license,snapshot_path,notes"
)


def write_catalog(path: Path, with_bls: bool = True) -> Path:
    rows = [CATALOG_HEADER]
    for sid, freq in FRED_SERIES.items():
        rows.append(f"{sid},fred,,{sid} (test),Index,{freq},SA,C1,Public domain,,")
    if with_bls:
        rows.append(
            f"{BLS_SERIES},bls,,AHE production workers (test),Dollars,M,SA,C1,Public domain,,"
        )
    path.write_text("\n".join(rows) + "\n")
    return path


def write_snapshot(base: Path) -> Path:
    """base/snap with the four C1 series (hand-made values) and base/catalog.csv naming them
    (no BLS); returns the snapshot folder."""
    snap = base / "snap"
    snap.mkdir()
    for sid in FRED_SERIES:
        (snap / f"{sid}.csv").write_bytes(fred_csv(sid))
    write_catalog(base / "catalog.csv", with_bls=False)
    return snap


def use_copy(built: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of a built tree (catalog.csv, snap/, store/) at `root`, with the settings pointed
    at it: a test may damage its copy, never the module's build."""
    shutil.copytree(built, root, dirs_exist_ok=True, symlinks=True)
    use_tree(root, monkeypatch)
    return root


def use_tree(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the settings at root/catalog.csv and the store root/store; Prefect kept quiet."""
    store = root / "store"
    monkeypatch.setenv("DECOUPLING_CATALOG", str(root / "catalog.csv"))
    monkeypatch.setenv("DECOUPLING_WAREHOUSE", str(store / "warehouse.duckdb"))
    monkeypatch.setenv("DECOUPLING_OUTPUT_DIR", str(store / "output"))
    monkeypatch.setenv("DECOUPLING_RAW_DIR", str(store / "raw"))
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "CRITICAL")


def _dates(freq: str, first_year: int = 1975, last_year: int = 2024) -> list[str]:
    step = 3 if freq == "Q" else 1
    return [f"{y}-{m:02d}-01" for y in range(first_year, last_year + 1) for m in range(1, 13, step)]


def series_values(series_id: str) -> dict[str, float]:
    """Deterministic made-up values: a series-specific growth path."""
    freq = FRED_SERIES.get(series_id, "M")
    rate = 1.0 + (sum(map(ord, series_id)) % 7 + 3) / 1000
    return {d: round(50 * rate**i, 3) for i, d in enumerate(_dates(freq))}


def fred_csv(series_id: str, values: dict[str, float] | None = None) -> bytes:
    values = values if values is not None else series_values(series_id)
    lines = [f"observation_date,{series_id}"] + [f"{d},{v}" for d, v in values.items()]
    return ("\n".join(lines) + "\n").encode()


def bls_body(payload: dict) -> bytes:
    """A BLS API answer (it echoes the registration key in a message, to test scrubbing)."""
    first, last = int(payload["startyear"]), int(payload["endyear"])
    values = series_values(BLS_SERIES)
    series = []
    for sid in payload["seriesid"]:
        data = [
            {"year": d[:4], "period": f"M{d[5:7]}", "value": str(v), "footnotes": [{}]}
            for d, v in values.items()
            if first <= int(d[:4]) <= last
        ]
        series.append({"seriesID": sid, "data": data})
    key = payload.get("registrationkey")
    message = [f"key {key} accepted"] if key else []
    return json.dumps(
        {"status": "REQUEST_SUCCEEDED", "message": message, "Results": {"series": series}}
    ).encode()


FAULTS = (
    "timeout",
    "reset",
    "429",
    "503",
    "truncated",
    "html",
    "not_processed",
    "daily_limit",
    "endless",  # a 200 whose body never ends
    "drip",  # the body one byte every `drip_s` seconds
)
# An endless body stops here, so that a client that never stops cannot hang the suite.
ENDLESS_LIMIT = 1_000_000_000


class FakeSources:
    """FRED's keyless CSV layout and the BLS API on one local port.

    `faults[key]` is a list of fault names consumed one per request for that key (the FRED
    series id, or "bls"); "always:<fault>" repeats forever. Every request is logged.
    """

    def __init__(self) -> None:
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.bodies: dict[str, bytes] = {}
        self.log: list[tuple[float, str, str]] = []  # (time, key, path with query)
        self.retry_after = "1"
        self.last_updated: dict[str, str] = {}
        self.payloads: list[dict] = []
        self.vintage_requests: list[str] = []
        self.slow_s = 1.5
        self.drip_s = 0.5
        self.sent: dict[str, int] = defaultdict(int)  # body bytes an endless or drip fault sent
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path in ("/fred/series", "/fred/series/observations"):
                    sid = query.get("series_id", "")
                    if sid not in FRED_SERIES:
                        return self._send(
                            400, b'{"error_message": "Bad Request"}', "application/json"
                        )
                    body = owner.api_body(parts.path, sid, query.get("api_key", ""), query)
                    return owner._serve(self, f"api:{sid}", body, "application/json")
                if parts.path != "/graph/fredgraph.csv":
                    return self._send(404, b"not found", "text/plain")
                sid = (parse_qs(parts.query).get("id") or [""])[0]
                body = owner.bodies.get(sid) or (fred_csv(sid) if sid in FRED_SERIES else None)
                if body is None:
                    return self._send(404, b"Series not found", "text/plain")
                owner._serve(self, sid, body, "text/csv")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                with owner._lock:
                    owner.payloads.append(payload)
                owner._serve(self, "bls", bls_body(payload), "application/json")

            def _send(self, status: int, body: bytes, ctype: str, extra=None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.handler = Handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def api_body(self, path: str, sid: str, api_key: str, query: dict | None = None) -> bytes:
        """FRED API answers; they mention the caller's key, as a careless proxy might.

        With `vintage_dates` (ALFRED) each date gets its own real-time period: the series up to
        two years before that date, scaled by 1% per year of vintage (a made-up revision)."""
        query = query or {}
        if path == "/fred/series":
            updated = self.last_updated.get(sid, "2024-11-01 07:50:00-06")
            info = {"id": sid, "title": sid, "last_updated": updated, "notes": f"for {api_key}"}
            return json.dumps({"seriess": [info]}).encode()
        values = series_values(sid)
        if query.get("vintage_dates"):
            self.vintage_requests.append(query["vintage_dates"])
            observations = []
            for day in query["vintage_dates"].split(","):
                scale = 1 + (int(day[:4]) - 2000) / 100
                cutoff = f"{int(day[:4]) - 2}{day[4:]}"
                observations += [
                    {
                        "realtime_start": day,
                        "realtime_end": day,
                        "date": d,
                        "value": str(round(v * scale, 3)),
                    }
                    for d, v in values.items()
                    if d <= cutoff
                ]
            return json.dumps(
                {"count": len(observations), "offset": 0, "observations": observations}
            ).encode()
        observations = [
            {
                "realtime_start": "2024-11-01",
                "realtime_end": "9999-12-31",
                "date": d,
                "value": str(v),
            }
            for d, v in values.items()
        ]
        answer = {"count": len(observations), "offset": 0, "observations": observations}
        answer["note"] = f"requested with api_key={api_key}"
        return json.dumps(answer).encode()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeSources:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.bodies.clear()
            self.log.clear()
            self.payloads.clear()
            self.last_updated.clear()
            self.sent.clear()

    def requests_for(self, key: str) -> list[tuple[float, str, str]]:
        return [entry for entry in self.log if entry[1] == key]

    def _next_fault(self, key: str) -> str | None:
        with self._lock:
            queue = self.faults.get(key) or []
            if not queue:
                return None
            if queue[0].startswith("always:"):
                return queue[0].split(":", 1)[1]
            return queue.pop(0)

    def _serve(self, handler, key: str, body: bytes, ctype: str) -> None:
        with self._lock:
            self.log.append((time.monotonic(), key, handler.path))
        fault = self._next_fault(key)
        if fault is None:
            return handler._send(200, body, ctype)
        if fault == "timeout":
            time.sleep(self.slow_s)  # longer than the client's read timeout
            try:
                handler._send(200, body, ctype)
            except OSError:
                pass
            return None
        if fault == "reset":
            sock = handler.connection
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            sock.close()  # RST: the client sees "connection reset by peer"
            return None
        if fault == "429":
            return handler._send(
                429, b"Too Many Requests", "text/plain", {"Retry-After": self.retry_after}
            )
        if fault == "503":
            return handler._send(503, b"Service Unavailable", "text/plain")
        if fault == "truncated":
            handler.send_response(200)
            handler.send_header("Content-Type", ctype)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return None
        if fault == "html":
            page = b"<!DOCTYPE html><html><body>Please verify you are human</body></html>"
            return handler._send(200, page, "text/html")
        if fault in ("endless", "drip"):
            return self._stream(handler, key, body, ctype, fault)
        if fault in ("not_processed", "daily_limit"):
            message = (
                "Request could not be serviced, as the system is busy."
                if fault == "not_processed"
                else "The daily threshold for total number of requests allocated per user has been reached."
            )
            answer = {"status": "REQUEST_NOT_PROCESSED", "message": [message], "Results": {}}
            return handler._send(200, json.dumps(answer).encode(), "application/json")
        raise AssertionError(fault)

    def _stream(self, handler, key: str, body: bytes, ctype: str, fault: str) -> None:
        """Send until the client hangs up: 64 KB pieces forever, or `body` a byte at a time."""
        handler.send_response(200)
        handler.send_header("Content-Type", ctype)
        if fault == "drip":
            handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        piece = b"9" * 65536
        try:
            if fault == "endless":
                while self.sent[key] < ENDLESS_LIMIT:
                    handler.wfile.write(piece)
                    self.sent[key] += len(piece)
            else:
                for byte in body:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    self.sent[key] += 1
                    time.sleep(self.drip_s)
        except OSError:
            pass  # the client hung up: what a bounded client does


STABLE_COLUMNS = {
    "raw.observations": "series_id, date, value, download_sha256",
    "meta.downloads": "series_key, sha256, rows, first_date, last_date",
}


def warehouse_digest(path: Path) -> str:
    """A digest of the content of raw and marts (and the download log): equal digests = same data."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        digest = hashlib.sha256()
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('raw', 'marts') OR (schema_name = 'meta' AND table_name = 'downloads') "
            "ORDER BY ALL"
        ).fetchall()
        for schema, table in tables:
            # Times of access (vintage, accessed_at) and load order differ between equal runs.
            columns = STABLE_COLUMNS.get(f"{schema}.{table}", "*")
            rows = con.execute(f'SELECT {columns} FROM {schema}."{table}" ORDER BY ALL').fetchall()
            digest.update(f"{schema}.{table}:{len(rows)}\n".encode())
            for row in rows:
                digest.update(repr(tuple(_stable(v) for v in row)).encode())
        return digest.hexdigest()
    finally:
        con.close()


def _stable(value):
    # Parallel aggregates may differ in the last bit from run to run: compare 12 digits.
    return f"{value:.12g}" if isinstance(value, float) else value


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_files(root: Path) -> dict[str, str]:
    """Every file below root (lock files aside) and its checksum: equal = nothing stored touched."""
    return {
        str(p.relative_to(root)): file_sha(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def refresh_without_report(root: Path) -> dict:
    """The refresh job minus the report (which has its own tests): lock, fetch, load, transform,
    publish; settings from the environment."""
    from datetime import UTC, datetime

    from decoupling import pipeline, warehouse

    options = pipeline.Options(
        warehouse=str(root / "warehouse.duckdb"),
        raw_dir=str(root / "raw"),
        output_dir=str(root / "output"),
        quiet=True,
    )
    settings = options.settings()
    with warehouse.refresh_lock(settings):
        fetched = pipeline.fetch_for(options, settings)
        return pipeline.refresh_locked(options, settings, fetched, datetime.now(UTC))
