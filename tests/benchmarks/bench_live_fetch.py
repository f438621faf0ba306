"""Figure 3: fetching the FRED part of the catalog live, from a local server (its own process,
fred_server.py) that serves the snapshot in FRED's keyless layout, answers each request after
100 ms and enforces 2 requests/s (429 beyond it). The lower bound is requests / 2 s."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from _bench import RUNS, SNAPSHOT, Stats, line, load_average, python, verdict

from decoupling import catalog, ingest
from decoupling.settings import Settings
from decoupling.sources import http

RATE_PER_S = 2.0
TARGET = 1.10  # x the bound


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_live_fetch_against_rate_bound(tmp_path):
    if not (SNAPSHOT / "OPHNFB.csv").is_file():
        pytest.skip(f"the shared snapshot is not at {SNAPSHOT}")
    load_before = load_average()
    entries = [e for e in catalog.load_catalog() if e.source == "fred"]
    files = {
        e.remote_id: str(SNAPSHOT / f"{e.id}.csv")
        for e in entries
        if (SNAPSHOT / f"{e.id}.csv").is_file()
    }
    (tmp_path / "files.json").write_text(json.dumps(files))
    port_file = tmp_path / "port"
    server = subprocess.Popen(
        [
            python(),
            str(Path(__file__).with_name("fred_server.py")),
            str(tmp_path / "files.json"),
            str(port_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.err").open("w"),
    )
    try:
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text()):
            assert server.poll() is None, (tmp_path / "server.err").read_text()
            assert time.monotonic() < deadline, "the FRED stand-in did not start"
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port_file.read_text()}"
        settings = Settings(
            warehouse=tmp_path / "w.duckdb",
            raw_dir=tmp_path / "raw",
            output_dir=tmp_path / "out",
            fred_base_url=base,
            fred_rate_per_s=RATE_PER_S,
            quiet=True,
        )
        seconds, ratios, requests, rejected = [], [], [], []
        for _ in range(RUNS):
            http.reset_state()
            _get(f"{base}/_reset")
            start = time.perf_counter()
            fetched = ingest.fetch_all(entries, settings)
            elapsed = time.perf_counter() - start
            stats = _get(f"{base}/_stats")
            assert len(fetched.downloads) == len(files)
            seconds.append(elapsed)
            ratios.append(elapsed / (stats["requests"] / RATE_PER_S))
            requests.append(stats["requests"])
            rejected.append(stats["rejected"])
    finally:
        server.terminate()
        server.wait(timeout=10)
        http.reset_state()
    ratio = Stats(ratios)
    line(
        f"live fetch of {len(entries)} FRED catalog series ({len(files)} served, the rest 400)",
        f"{Stats(seconds).show()} vs bound {max(requests) / RATE_PER_S:.2f} s "
        f"({max(requests)} requests / {RATE_PER_S:g} per s) = {ratio.median:.3f}x "
        f"(target <= {TARGET}x: {verdict(ratio.median <= TARGET)})",
    )
    line(
        "live fetch: 429 answers",
        f"{sum(rejected)} in {len(rejected)} runs (per run: {rejected}; target 0: "
        f"{verdict(sum(rejected) == 0)})",
    )
    line("machine load (1-min average) before / after", f"{load_before} / {load_average()}")
