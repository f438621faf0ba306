"""A real Prefect server on 127.0.0.1 (SQLite): `decoupling serve` registers the scheduled refresh
and runs it; `decoupling deploy` puts it on a work pool and a worker runs it (the team path).
One server is shared by both tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import requests
from ops_support import FRED_SERIES, fred_csv, write_catalog

from flows import deployments as serve

REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
CRON = "0 6 15 * *"
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        PREFECT_HOME=str(root / "home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{root / 'prefect.db'}",
    )
    process = _start(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env,
        root / "server.log",
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(f"{api}/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            pytest.fail(
                "Prefect server did not start:\n" + (root / "server.log").read_text()[-3000:]
            )
        time.sleep(1)
    yield {"api": api, "root": root}
    _stop(process)


@pytest.fixture
def job_env(server, tmp_path: Path) -> dict:
    """Environment of a machine running refreshes: the server's URL, a small snapshot, a store."""
    snap = tmp_path / "snap"
    snap.mkdir()
    for sid in FRED_SERIES:
        (snap / f"{sid}.csv").write_bytes(fred_csv(sid))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        PREFECT_API_URL=server["api"],
        PREFECT_HOME=str(tmp_path / "client-home"),
        DECOUPLING_CATALOG=str(write_catalog(tmp_path / "catalog.csv", with_bls=False)),
        DECOUPLING_WAREHOUSE=str(tmp_path / "store" / "warehouse.duckdb"),
        DECOUPLING_OUTPUT_DIR=str(tmp_path / "store" / "output"),
        DECOUPLING_RAW_DIR=str(tmp_path / "store" / "raw"),
        FRED_BASE_URL="http://127.0.0.1:9",  # nothing leaves the machine
        BLS_BASE_URL="http://127.0.0.1:9",
    )
    env["SNAPSHOT"] = str(snap)
    return env


def _run_deployment(api: str, name: str) -> tuple[str, dict]:
    """Trigger a run of the deployment through the API and wait for its final state."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}):
        deadline = time.monotonic() + 120
        with get_client(sync_client=True) as client:
            while True:  # the deployment appears once the serving process registered it
                try:
                    deployment = client.read_deployment_by_name(name)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(2)
        run = run_deployment(name=name, timeout=600, poll_interval=2)
        schedules = [s.schedule.model_dump() for s in deployment.schedules]
    return run.state.type.value, {"schedules": schedules, "parameters": deployment.parameters}


def _refreshed(env: dict) -> int:
    con = duckdb.connect(env["DECOUPLING_WAREHOUSE"], read_only=True)
    try:
        return con.execute("SELECT count(*) FROM meta.runs WHERE command = 'refresh'").fetchall()[
            0
        ][0]
    finally:
        con.close()


def test_serve_registers_schedule_and_runs(server, job_env: dict, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "decoupling.cli", "serve", "--cron", CRON]
    argv += ["--snapshot", job_env["SNAPSHOT"], "--name", "served"]
    serving = _start(argv, job_env, tmp_path / "serve.log")
    try:
        state, deployment = _run_deployment(server["api"], "refresh/served")
    finally:
        _stop(serving)
    log = (tmp_path / "serve.log").read_text()
    assert state == "COMPLETED", log[-3000:]
    assert deployment["schedules"][0]["cron"] == CRON
    assert deployment["parameters"]["snapshots"] == [job_env["SNAPSHOT"]]
    assert _refreshed(job_env) == 1
    assert (Path(job_env["DECOUPLING_OUTPUT_DIR"]) / "report.html").is_file()
    assert (Path(job_env["DECOUPLING_WAREHOUSE"]).parent / "published" / "current").is_dir()


def test_work_pool_worker_runs_the_deployment(server, job_env: dict, tmp_path: Path) -> None:
    deploy = subprocess.run(
        [sys.executable, "-m", "decoupling.cli", "deploy", "--pool", "team", "--cron", CRON]
        + ["--snapshot", job_env["SNAPSHOT"], "--name", "team-refresh"],
        cwd=REPO,
        env=job_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert deploy.returncode == 0, deploy.stderr[-3000:]
    assert "prefect worker start --pool team" in deploy.stdout
    worker = _start(
        [PREFECT, "worker", "start", "--pool", "team", "--type", "process"],
        {**job_env, "PREFECT_WORKER_QUERY_SECONDS": "2"},  # default 10: pick the run up soon
        tmp_path / "worker.log",
    )
    try:
        state, deployment = _run_deployment(server["api"], "refresh/team-refresh")
    finally:
        _stop(worker)
    assert state == "COMPLETED", (tmp_path / "worker.log").read_text()[-3000:]
    assert deployment["schedules"][0]["cron"] == CRON
    assert _refreshed(job_env) == 1


def test_serve_refuses_a_bad_cron_before_registering(job_env: dict) -> None:
    with pytest.raises(Exception) as failure:
        serve.validate_cron("61 * * * *")
    assert "invalid cron expression" in str(failure.value)
