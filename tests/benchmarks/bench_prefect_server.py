"""Figure 5: Prefect's own cost. Every CLI run without PREFECT_API_URL starts an ephemeral API
server and stops it at the end; the alternative is a running `prefect server start` that runs
connect to. Measured: the server's start-up (paid once), an empty flow both ways, the full
offline refresh attached to the running server, and what the running server holds in memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _bench import (
    REPO,
    RUNS,
    SNAPSHOT,
    Stats,
    _tree_rss_kb,
    child_env,
    line,
    load_average,
    python,
    run_child,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _flow_runs(api: str) -> int:
    request = urllib.request.Request(
        f"{api}/flow_runs/count", data=b"{}", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.read())


def test_ephemeral_vs_running_server(tmp_path):
    load_before = load_average()
    empty_flow = [python(), str(REPO / "tests" / "benchmarks" / "empty_flow.py")]
    ephemeral_home = tmp_path / "home-ephemeral"
    server_home = tmp_path / "home-server"
    # Create both Prefect databases first: that one-off cost is not what is compared here.
    for home in (ephemeral_home, server_home):
        env = child_env(tmp_path, PREFECT_HOME=str(home))
        assert run_child(empty_flow, env, tmp_path / "warmup" / home.name).returncode == 0

    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    prefect = str(Path(sys.executable).with_name("prefect"))
    logs = tmp_path / "server.log"
    with logs.open("w") as log:
        started = time.perf_counter()
        server = subprocess.Popen(
            [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
            env=child_env(tmp_path, PREFECT_HOME=str(server_home)),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one below
        )
    try:
        while not _healthy(f"{api}/health"):
            assert server.poll() is None, logs.read_text()[-2000:]
            assert time.perf_counter() - started < 180, "prefect server did not start in 180 s"
            time.sleep(0.1)
        startup = time.perf_counter() - started
        ephemeral, attached = [], []
        for index in range(RUNS):
            env = child_env(tmp_path, PREFECT_HOME=str(ephemeral_home))
            run = run_child(empty_flow, env, tmp_path / f"ephemeral{index}")
            assert run.returncode == 0, run.stderr[-2000:]
            ephemeral.append(run.seconds)
            env = child_env(tmp_path, PREFECT_HOME=str(server_home), PREFECT_API_URL=api)
            run = run_child(empty_flow, env, tmp_path / f"attached{index}")
            assert run.returncode == 0, run.stderr[-2000:]
            assert "temporary server" not in run.stderr  # it really used the running one
            attached.append(run.seconds)
        refreshes = []
        if (SNAPSHOT / "OPHNFB.csv").is_file():
            for index in range(RUNS):
                root = tmp_path / f"refresh{index}"
                env = child_env(root, PREFECT_HOME=str(server_home), PREFECT_API_URL=api)
                refresh = [python(), "-m", "decoupling.cli", "refresh", "--snapshot", str(SNAPSHOT)]
                refresh += ["--warehouse", str(root / "warehouse.duckdb")]
                before = _flow_runs(api)
                run = run_child(refresh, env, root / "logs")
                assert run.returncode == 0, run.stderr[-2000:]
                assert _flow_runs(api) == before + 1  # the refresh ran on the running server
                refreshes.append(run.seconds)
        server_mb = _tree_rss_kb(server.pid) / 1024
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    eph, att = Stats(ephemeral), Stats(attached)
    line("prefect server start-up to healthy (paid once per server)", f"{startup:.2f} s (n=1)")
    line("empty flow, ephemeral server (every CLI run)", eph.show())
    line(
        "empty flow against a running prefect server (PREFECT_API_URL)",
        f"{att.show()} vs ephemeral {eph.median:.2f} s: saves {eph.median - att.median:.2f} s "
        f"a run ({att.median / eph.median:.2f}x)",
    )
    if refreshes:
        full = Stats(refreshes)
        line(
            "full offline refresh against the running server",
            f"{full.show()}: {full.median / att.median:.2f}x the attached empty flow, "
            f"{full.median - att.median:.2f} s of its own",
        )
    else:
        line(
            "full offline refresh against the running server", f"skipped: no snapshot at {SNAPSHOT}"
        )
    line("running prefect server's resident memory (its process tree)", f"{server_mb:.0f} MB")
    line("machine load (1-min average) before / after", f"{load_before} / {load_average()}")
