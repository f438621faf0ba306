"""The console script's start and exit: the engine started early is the one the flow uses (and
is started only where a flow would start one), and main()'s exit code and all of its output
survive the skipped interpreter teardown."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
from prefect.settings import PREFECT_API_URL, temporary_settings

from decoupling import engine as warm


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "decoupling.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_piped_output_is_complete_and_the_exit_code_kept(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE numbers AS SELECT range AS n FROM range(200000)")
    con.close()
    done = _cli(
        "query",
        "SELECT n FROM numbers ORDER BY n",
        "--format",
        "csv",
        "--warehouse",
        str(warehouse),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "n" and lines[-1] == "199999" and len(lines) == 200001
    refused = _cli("query", "DROP TABLE numbers", "--warehouse", str(warehouse))
    assert refused.returncode == 2
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr


def test_no_early_engine_when_a_server_is_configured():
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        assert warm.start_engine() is None


def test_the_flow_runs_on_the_server_started_early(tmp_path):
    script = """
from prefect import flow
from prefect.server.api.server import SubprocessASGIServer
from decoupling import engine as warm

thread = warm.start_engine()
thread.join(timeout=120)
server = SubprocessASGIServer()
assert server.running, "the early start did not leave a running server"
pid = server.server_process.pid

@flow
def empty() -> int:
    return 1

assert empty() == 1
assert SubprocessASGIServer().server_process.pid == pid, "the flow started a second server"
print("same server", pid)
"""
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "same server" in done.stdout
