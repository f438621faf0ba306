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


def _python(script: str, tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),  # a new one: its database is created (~25 s)
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # as the CLI sets it
        "DO_NOT_TRACK": "1",
    }
    environment.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**environment, **env},
    )


def test_the_flow_runs_on_the_server_started_early(tmp_path):
    script = """
import os, sys
from decoupling import engine as warm

thread = warm.start_engine()  # Prefect not imported yet: spawned before that import
assert warm.start_engine() is thread, "a second server while the first starts (same database)"
thread.join(timeout=120)
from prefect.settings import PREFECT_API_URL
url = PREFECT_API_URL.value()
assert url and "PREFECT_API_URL" not in os.environ  # children do not inherit it
from prefect import flow
from prefect.client.orchestration import get_client

@flow
def empty() -> int:
    return 1

assert empty() == 1
with get_client(sync_client=True) as client:
    runs = client.read_flow_runs()
assert [r.state_name for r in runs] == ["Completed"], runs  # the run is on our server
assert "prefect.server.api.server" not in sys.modules, "Prefect started a server of its own"
assert warm.start_engine() is thread, "a second run of the process starts a second server"
assert empty() == 1 and PREFECT_API_URL.value() == url
process = warm._SERVER["process"]
warm.stop_engine()
assert process.poll() is not None and PREFECT_API_URL.value() is None
print("same server", url)
"""
    done = _python(script, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "same server http://127.0.0.1:" in done.stdout


def test_an_empty_api_url_is_kept_in_the_environment(tmp_path):
    # PREFECT_API_URL="" (a run on a temporary server, not on the active profile's) names no
    # server, so start_engine starts one; _attach must leave it set, or the profile's is back.
    profiles = tmp_path / "profiles.toml"
    profiles.write_text(
        'active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n'
    )
    script = """
import os
import prefect  # imported first: start_engine then spawns nothing itself
from prefect.settings import PREFECT_API_URL
from decoupling import engine as warm

warm._serve_quietly = lambda *args: None  # no server: only whether one would be started
assert warm.start_engine() is not None
warm._attach("http://127.0.0.1:8/api")
assert PREFECT_API_URL.value() == "http://127.0.0.1:8/api" and os.environ["PREFECT_API_URL"] == ""
warm._attach(None)
print(repr(PREFECT_API_URL.value()))
"""
    done = _python(
        script,
        tmp_path,
        PREFECT_API_URL="",
        PREFECT_SERVER_EPHEMERAL_ENABLED="true",
        PREFECT_PROFILES_PATH=str(profiles),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "''"  # not the profile's server


def test_the_early_server_is_stopped_when_settings_turn_it_off(tmp_path):
    script = """
from decoupling import engine as warm

assert warm.start_engine() is None
print("stopped" if not warm._SERVER else "still held")
"""
    done = _python(script, tmp_path, PREFECT_SERVER_EPHEMERAL_ENABLED="false")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "stopped"
    guards = subprocess.run(["pgrep", "-f", f"{tmp_path}.*engine_guard"], capture_output=True)
    assert guards.returncode == 1  # no server left behind
