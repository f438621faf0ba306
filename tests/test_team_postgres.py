"""The team set-up as it runs: Prefect's server on PostgreSQL, `decoupling deploy --pool`, two
workers on one pool sharing one warehouse folder, runs triggered through the API.

1. Three runs at once: all complete, one at a time (the deployment's concurrency limit of 1),
   and the warehouse ends consistent.
2. A worker lost mid-run (SIGKILL of the worker and its flow-run process): the published
   warehouse is byte-identical, the refresh lock is free, Prefect keeps the lost run RUNNING and
   its concurrency slot taken until the run is marked Crashed, then the next run completes on the
   other worker.
3. A value edited so that a C5 verdict flips: the WARNING in the run's logs (API), the history
   row, the scorecard and "what changed" artifacts on the flow run (API), the webhook's POST.
4. `decoupling serve --vintages-cron` registers the ALFRED vintages flow beside the refresh, and a
   run of it (fake ALFRED on 127.0.0.1) fills marts.c1_gap_vintages.

The workers refresh the C1 series of the real snapshot (with the report and its PDF): a full
catalog run takes about a minute on a loaded 2-core machine, too long for five runs here.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from uuid import UUID

import duckdb
import pytest
from pg_cluster import (  # noqa: F401  (fixtures are registered by their names)
    PrefectServer,
    pg_cluster_fixture,
    prefect_pg_server_fixture,
    start_process,
    stop_process,
)

REPO = Path(__file__).resolve().parents[1]
DECOUPLING = str(Path(sys.executable).with_name("decoupling"))
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "team-pg"
NAME = "team-refresh"
# The webhook URL's secret part: it must reach the hook and no log.
HOOK_SECRET = "T0TEAM/B0TEAM/h00ks3cr3t"
# The C1 claim's catalog series (productivity, pay, deflators, NIPA lines, hours).
C1_SERIES = (
    "OPHNFB OUTNFB HOANBS COMPNFB COMPRNFB IPDNBS ULCNFB PRS85006173 PRS88003093 PRS88003153 "
    "AHETPI CEU0500000008 EEU00500006 EEU00500006_ANNUAL LES1252881600Q W209RC1 A576RC1 "
    "NIPA_T10705_L30_NDP TOTAL_ECONOMY_HOURS_ALL_WORKERS TOTAL_ECONOMY_EMPLOYMENT_ALL_WORKERS "
    "CPIAUCSL CPIAUCNS CPI_U_RS SUUR0000SA0 PCEPI PCECTPI GDPDEF"
).split()
# Per run: ~35 s on an idle 2-core machine, ~110 s at load average 13 (other jobs); bounded.
RUN_TIMEOUT_S = 200
# Long enough for several worker polls (2 s) and slot retries (3 s), far below the 300 s lease.
OBSERVE_S = 15
pytestmark = pytest.mark.e2e


@dataclass
class Team:
    server: PrefectServer
    store: Path  # the shared folder: warehouse, its lock, published/
    deployment_id: UUID
    parameters: dict  # the deployment's flow parameters (flows/refresh.py: refresh)
    workers: dict[str, subprocess.Popen]
    logs: dict[str, Path]
    hook: AlertHook
    seen_on: dict[UUID, str] = field(default_factory=dict)  # flow run -> worker name
    triggered: list[UUID] = field(default_factory=list)  # every run the tests started

    @property
    def warehouse(self) -> Path:
        return self.store / "warehouse.duckdb"

    @property
    def lock(self) -> Path:
        return self.store / "warehouse.duckdb.lock"

    def tails(self) -> str:
        return "\n".join(
            f"--- {name}:\n" + path.read_text()[-2000:]
            for name, path in {**self.logs, "server": self.server.log}.items()
            if path.is_file()
        )


class AlertHook:
    """A local HTTP server standing in for a chat webhook: records every POST's path and JSON."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append((self.path, json.loads(body)))
                self.send_response(204)
                self.end_headers()

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks/{HOOK_SECRET}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _machine_env(server: PrefectServer, home: Path) -> dict:
    """Environment of one machine of the team: the server's URL and private folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    for var in ("DECOUPLING_WAREHOUSE", "DECOUPLING_PUBLISH_DIR", "DECOUPLING_SNAPSHOT"):
        env.pop(var, None)
    env.update(
        PREFECT_API_URL=server.api,
        PREFECT_HOME=str(home / "prefect-home"),
        DECOUPLING_OUTPUT_DIR=str(home / "output"),  # the report is written on each machine
        DECOUPLING_RAW_DIR=str(home / "raw"),
        FRED_BASE_URL="http://127.0.0.1:9",  # nothing leaves the machine
        BLS_BASE_URL="http://127.0.0.1:9",
        PREFECT_WORKER_QUERY_SECONDS="2",  # default 10: poll often so queued runs follow closely
        DO_NOT_TRACK="1",
    )
    return env


@contextmanager
def _client(api: str):
    """A synchronous Prefect client for the team's server (not the session's own)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        yield client


@pytest.fixture(scope="module")
def team(prefect_pg_server: PrefectServer, snapshot_dir: Path, tmp_path_factory) -> Iterator[Team]:
    root = tmp_path_factory.mktemp("team")
    store = root / "store"
    hook = AlertHook()
    deploy = subprocess.run(
        [DECOUPLING, "deploy", "--pool", POOL, "--name", NAME, "--snapshot", str(snapshot_dir)]
        + ["--warehouse", str(store / "warehouse.duckdb"), "--series", *C1_SERIES],
        cwd=REPO,
        env=_machine_env(prefect_pg_server, root / "admin"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert deploy.returncode == 0, deploy.stderr[-3000:]
    assert f"prefect worker start --pool {POOL}" in deploy.stdout
    with _client(prefect_pg_server.api) as client:
        deployment = client.read_deployment_by_name(f"refresh/{NAME}")
    workers: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}
    try:
        for name in ("w1", "w2"):
            home = root / name
            home.mkdir()
            logs[name] = home / "worker.log"
            env = _machine_env(prefect_pg_server, home)
            env["DECOUPLING_ALERT_WEBHOOK"] = hook.url
            workers[name] = start_process(
                [PREFECT, "worker", "start", "--pool", POOL, "--name", name], env, logs[name]
            )
        yield Team(
            server=prefect_pg_server,
            store=store,
            deployment_id=deployment.id,
            parameters=deployment.parameters,
            workers=workers,
            logs=logs,
            hook=hook,
        )
    finally:
        for process in workers.values():
            stop_process(process, timeout=5)  # every run is final here: no need to wait 30 s
        hook.stop()


# ---- processes and locks, read from /proc ------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name (field 2) may hold spaces and parentheses.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    pids = [pid]
    for child in _children(pid):
        pids += _tree(child)
    return pids


def _alive(pid: int) -> bool:
    """True while any thread of the process runs. A killed process's leader turns zombie before
    threads stuck in I/O (DuckDB's) have exited; its files, and so its flock, go with the last."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for task in tasks:
        try:
            stat = Path(f"/proc/{pid}/task/{task}/stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
            return True
    return False


def _lock_holders(lock: Path) -> list[int]:
    """Pids holding a flock on the file (Linux /proc/locks), without touching the lock."""
    try:
        inode = lock.stat().st_ino
    except FileNotFoundError:
        return []
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and len(fields) >= 6 and fields[5].endswith(f":{inode}"):
            holders.append(int(fields[4]))
    return holders


def _openers(path: Path) -> dict[int, str]:
    """Processes with the file open, and their command lines (for failure messages)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
            if any(os.readlink(f"/proc/{entry}/fd/{fd}") == str(path) for fd in fds):
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
                found[int(entry)] = cmd.decode(errors="replace")[:200]
        except OSError:
            continue
    return found


def _can_take_lock(lock: Path) -> bool:
    with lock.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published_run(store: Path) -> str | None:
    manifest = store / "published" / "current" / "MANIFEST.json"
    return json.loads(manifest.read_text())["run_id"] if manifest.is_file() else None


# ---- runs through the API ------------------------------------------------------------------------


def _trigger(team: Team, client, **changes) -> UUID:
    # A forced refresh: each run rebuilds and publishes (else the 2nd and 3rd find nothing new).
    run = client.create_flow_run_from_deployment(
        team.deployment_id, parameters={**team.parameters, "force": True, **changes}
    )
    team.triggered.append(run.id)
    return run.id


def _note_workers(team: Team, client, run_ids) -> None:
    """Remember which worker runs each RUNNING flow run: its process is in that worker's tree."""
    for run_id in run_ids:
        if run_id in team.seen_on:
            continue
        run = client.read_flow_run(run_id)
        if run.state and run.state.is_running() and run.infrastructure_pid:
            pid = int(str(run.infrastructure_pid).rsplit(":", 1)[-1])
            for name, worker in team.workers.items():
                if worker.poll() is None and pid in _tree(worker.pid):
                    team.seen_on[run_id] = name


def _wait_final(team: Team, client, run_ids, timeout: float | None = None) -> dict:
    timeout = timeout or RUN_TIMEOUT_S * len(run_ids)  # the runs go one at a time
    deadline = time.monotonic() + timeout
    while True:
        _note_workers(team, client, run_ids)
        runs = {run_id: client.read_flow_run(run_id) for run_id in run_ids}
        if all(run.state and run.state.is_final() for run in runs.values()):
            return runs
        if time.monotonic() > deadline:
            states = {str(k): (r.state.type.value, r.state.name) for k, r in runs.items()}
            pytest.fail(f"runs not final after {timeout:.0f} s: {states}\n{team.tails()}")
        time.sleep(0.5)


def _submitted_by(client, run_id: UUID) -> set[str]:
    """Worker names from the run's "Worker 'NAME' submitting flow run" log lines (the API)."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    return {
        log.message.split("'")[1]
        for log in logs
        if log.message.startswith("Worker '") and "submitting flow run" in log.message
    }


def _refreshes(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT run_id, started_at, finished_at FROM meta.runs WHERE command = 'refresh' "
            "ORDER BY started_at"
        ).fetchall()
    finally:
        con.close()


# ---- tests ---------------------------------------------------------------------------------------


def test_two_workers_run_three_refreshes_one_at_a_time(team: Team) -> None:
    with _client(team.server.api) as client:
        run_ids = [_trigger(team, client) for _ in range(3)]
        runs = _wait_final(team, client, run_ids)
        histories = {r: [s.name for s in client.read_flow_run_states(r)] for r in run_ids}

    states = {str(r): run.state.type.value for r, run in runs.items()}
    assert set(states.values()) == {"COMPLETED"}, f"{states}\n{team.tails()}"
    # The concurrency limit of 1: the runs' [start, end] intervals, from the API, are disjoint.
    spans = sorted((run.start_time, run.end_time) for run in runs.values())
    for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
        assert end <= next_start, f"two runs overlapped: {spans}"
    # ...and it was the limit that kept them apart: some run waited for the slot.
    assert any("AwaitingConcurrencySlot" in names for names in histories.values()), histories
    assert set(team.seen_on.values()) <= set(team.workers), team.seen_on
    took = [round((end - start).total_seconds(), 1) for start, end in spans]
    print(f"\nruns by worker: { {str(k): v for k, v in team.seen_on.items()} }; seconds: {took}")

    # The shared warehouse: one refresh row per run, serial, and the readers' copy is the last.
    refreshes = _refreshes(team.warehouse)
    assert len(refreshes) == 3, refreshes
    for (_, _, finished), (_, next_started, _) in zip(refreshes, refreshes[1:], strict=False):
        assert finished <= next_started, refreshes
    assert _published_run(team.store) == refreshes[-1][0]
    con = duckdb.connect(str(team.warehouse), read_only=True)
    try:
        claims = con.execute("SELECT count(*) FROM marts.claims").fetchone()[0]
        c1_rows = con.execute(
            "SELECT count(*) FROM raw.observations WHERE series_id = 'OPHNFB'"
        ).fetchone()[0]
    finally:
        con.close()
    assert claims > 0
    assert c1_rows > 300  # OPHNFB 1947Q1-2026Q1 in the snapshot: 317 quarters
    assert not list(team.store.glob("*.building*")), "a staging copy was left behind"
    assert _lock_holders(team.lock) == [] and _can_take_lock(team.lock)
    reports = list(team.store.parent.glob("w*/output/report.html"))
    assert reports, "no worker wrote the report"


def test_worker_lost_mid_run_leaves_the_warehouse_and_the_next_run_completes(team: Team) -> None:
    building = team.warehouse.with_name(team.warehouse.name + ".building")
    with _client(team.server.api) as client:
        # Start idle: runs an earlier (failed) test left behind would hold the slot and the lock.
        unfinished = [r for r in team.triggered if not client.read_flow_run(r).state.is_final()]
        if unfinished:
            _wait_final(team, client, unfinished)
        if not team.warehouse.is_file():  # run alone (-k): publish a first version
            first = _trigger(team, client)
            assert _wait_final(team, client, [first])[first].state.is_completed(), team.tails()
        before = _sha(team.warehouse)
        published_before = _published_run(team.store)
        refreshes_before = len(_refreshes(team.warehouse))

        lost = _trigger(team, client)
        # Mid-run: the run holds the refresh lock and writes its staging copy of the warehouse.
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not (holders := _lock_holders(team.lock)) or not building.exists():
            state = client.read_flow_run(lost).state
            assert not state.is_final(), f"run ended before it could be killed: {state}"
            assert time.monotonic() < deadline, f"run never reached the write: {state}"
            time.sleep(0.05)
        # Kill at once (the staging phase lasts seconds); check what was killed afterwards.
        trees = {name: _tree(worker.pid) for name, worker in team.workers.items()}
        victim = next((name for name, pids in trees.items() if holders[0] in pids), None)
        assert victim, f"lock holder {holders[0]} is in no worker's process tree: {trees}"
        for pid in trees[victim]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        survivor = next(n for n in team.workers if n != victim)
        doomed = trees[victim]
        assert holders[0] != team.workers[victim].pid  # the flow run is the worker's subprocess
        team.workers[victim].wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in doomed):
            assert time.monotonic() < deadline, f"still alive after SIGKILL: {doomed}"
            time.sleep(0.1)

        # Nothing published changed, and the kernel dropped the dead process's flock.
        assert _sha(team.warehouse) == before
        assert _published_run(team.store) == published_before
        assert _lock_holders(team.lock) == [], (doomed, _openers(team.lock))
        assert _can_take_lock(team.lock)

        # What Prefect does (3.9): nothing. No heartbeat watches the run, so it stays RUNNING,
        # and it keeps the deployment's only concurrency slot (a 300 s lease the dead engine no
        # longer renews): the next run waits even though the lock is free and a worker is idle.
        following = _trigger(team, client)
        seen: set[tuple[str, str]] = set()
        deadline = time.monotonic() + OBSERVE_S
        while time.monotonic() < deadline:
            state = client.read_flow_run(following).state
            seen.add((state.type.value, state.name))
            assert client.read_flow_run(lost).state.is_running()
            time.sleep(0.5)
        assert seen <= {("SCHEDULED", "Scheduled"), ("SCHEDULED", "AwaitingConcurrencySlot")}
        assert ("SCHEDULED", "AwaitingConcurrencySlot") in seen, seen

        # The operator's step (UI: the run's menu > Change state > Crashed) frees the slot.
        from prefect.states import Crashed

        client.set_flow_run_state(
            lost, Crashed(message=f"worker {victim} lost (SIGKILL in a test)"), force=True
        )
        runs = _wait_final(team, client, [following])
        submitted = _submitted_by(client, following)
        lost_state = client.read_flow_run(lost).state

    assert runs[following].state.is_completed(), team.tails()
    assert submitted == {survivor}, submitted
    assert team.seen_on.get(following) == survivor
    assert lost_state.type.value == "CRASHED"
    assert _sha(team.warehouse) != before  # the next run published a new version
    assert len(_refreshes(team.warehouse)) == refreshes_before + 1
    assert _published_run(team.store) != published_before
    assert not building.exists(), "the killed run's staging copy was not cleared"
    assert _lock_holders(team.lock) == []


def _flipped_snapshot(snapshot_dir: Path, folder: Path) -> tuple[Path, float, float]:
    """PRS85006173 (nonfarm business labor share, a C5 series) with its last quarter set 20% above
    1979Q4: the share then rose, and C5's "labor share fell" verdict flips. The folder goes in
    front of the real snapshot (the first folder holding a series wins). Returns the folder and
    C5's measure before and after the edit: the change since 1979Q4 in points of level, the
    2017=100 index put in levels with BLS's published 63.9% in 2000Q1."""
    folder.mkdir()
    lines = (snapshot_dir / "PRS85006173.csv").read_text().splitlines()

    def value_at(date: str) -> float:
        return float(next(line for line in lines if line.startswith(f"{date},")).split(",")[1])

    base, level_2000 = value_at("1979-10-01"), value_at("2000-01-01")
    last_date, last_value = lines[-1].split(",")
    edited = round(base * 1.2, 3)
    lines[-1] = f"{last_date},{edited:.3f}"
    (folder / "PRS85006173.csv").write_text("\n".join(lines) + "\n")
    points = 63.9 / level_2000
    return folder, points * (float(last_value) - base), points * (edited - base)


def _history(warehouse: Path, run_id: str) -> dict[str, tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT metric, measured, verdict, data_vintage FROM meta.verdict_history "
            "WHERE run_id = ? AND claim_id = 'C5'",
            [run_id],
        ).fetchall()
    finally:
        con.close()
    return {row[0]: row[1:] for row in rows}


def test_a_flipped_verdict_warns_records_publishes_and_calls_the_webhook(
    team: Team, snapshot_dir: Path, tmp_path: Path
) -> None:
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        LogFilter,
        LogFilterFlowRunId,
    )

    edited, before_pct, after_pct = _flipped_snapshot(snapshot_dir, tmp_path / "edited")
    with _client(team.server.api) as client:
        unfinished = [r for r in team.triggered if not client.read_flow_run(r).state.is_final()]
        if unfinished:
            _wait_final(team, client, unfinished)
        if _published_run(team.store) is None:  # run alone (-k): a first scorecard to compare
            first = _trigger(team, client)
            assert _wait_final(team, client, [first])[first].state.is_completed(), team.tails()
        previous = _published_run(team.store)
        team.hook.received.clear()
        snapshots = [str(edited), *team.parameters["snapshots"]]
        flipped = _trigger(team, client, snapshots=snapshots)
        final = _wait_final(team, client, [flipped])[flipped]
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flipped])))
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flipped]))
        )
    assert final.state.is_completed(), team.tails()
    run_id = _published_run(team.store)
    assert run_id != previous

    # The history: the previous run's C5 labor-share row and this run's, as computed from the CSV.
    metric = next(m for m in _history(team.warehouse, run_id) if m.startswith("labor share change"))
    old_measured, old_verdict, _ = _history(team.warehouse, previous)[metric]
    new_measured, new_verdict, vintage = _history(team.warehouse, run_id)[metric]
    assert old_measured == pytest.approx(before_pct, abs=1e-6)
    assert new_measured == pytest.approx(after_pct, abs=1e-6)
    assert (old_verdict, new_verdict) == ("supported", "not supported")
    assert vintage is not None

    # The WARNING, in the run's logs as the Prefect API holds them.
    warnings = [log.message for log in logs if log.level == 30 and "C5" in log.message]
    flip_lines = [m for m in warnings if "supported -> not supported" in m]
    assert flip_lines, [log.message for log in logs][-20:]
    assert f"{before_pct:,.2f}" in flip_lines[0] and f"{after_pct:,.2f}" in flip_lines[0]

    # The artifacts on the flow run: the scorecard table and the "what changed" Markdown.
    by_key = {artifact.key: artifact for artifact in artifacts}
    assert set(by_key) >= {"decoupling-scorecard", "decoupling-verdict-changes"}, by_key
    table = by_key["decoupling-scorecard"].data
    table = json.loads(table) if isinstance(table, str) else table
    c5 = [row for row in table if row["claim_id"] == "C5" and row["metric"] == metric]
    assert c5 and c5[0]["verdict"] == "not supported", table
    note = by_key["decoupling-verdict-changes"].data
    assert run_id in note and flip_lines[0] in note

    # The webhook: one POST to the secret path, the same Markdown; the secret in no log.
    assert [(path, body["text"]) for path, body in team.hook.received] == [
        (f"/hooks/{HOOK_SECRET}", note)
    ]
    assert not any(HOOK_SECRET in log.message for log in logs)
    assert HOOK_SECRET not in team.tails()

    # The report's "What changed" lists it (written on the machine that ran the refresh).
    worker = team.seen_on.get(flipped) or next(iter(_submitted_by_names(team, flipped)))
    html = (team.store.parent / worker / "output" / "report.html").read_text()
    assert "C5 verdict changed" in html and f"{after_pct:,.2f}" in html


def _submitted_by_names(team: Team, run_id: UUID) -> set[str]:
    with _client(team.server.api) as client:
        return _submitted_by(client, run_id)


def test_serve_schedules_the_vintages_flow_beside_the_refresh(
    prefect_pg_server: PrefectServer, tmp_path: Path
) -> None:
    from ops_support import FakeSources, series_values, write_catalog

    from decoupling.vintages import default_dates

    sources = FakeSources().start()
    store = tmp_path / "store" / "warehouse.duckdb"
    env = _machine_env(prefect_pg_server, tmp_path)
    env.update(
        DECOUPLING_CATALOG=str(write_catalog(tmp_path / "catalog.csv", with_bls=False)),
        FRED_API_KEY="fredfakekey0123456789abcdef0123",
        FRED_BASE_URL=sources.url,
        DECOUPLING_FRED_RATE="0",
    )
    cron, vintages_cron = "0 6 15 * *", "0 5 2 1,7 *"
    serving = start_process(
        [DECOUPLING, "serve", "--name", "served", "--cron", cron]
        + ["--vintages-cron", vintages_cron, "--warehouse", str(store)],
        env,
        tmp_path / "serve.log",
    )
    try:
        with _client(prefect_pg_server.api) as client:
            deadline = time.monotonic() + 120
            while True:  # the deployments appear once the serving process registered them
                try:
                    refresh = client.read_deployment_by_name("refresh/served")
                    vintages = client.read_deployment_by_name("vintages/served-vintages")
                    break
                except Exception:
                    assert serving.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
                    assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                    time.sleep(1)
            states = {}
            # A refresh first (the vintages flow rebuilds the marts of an existing warehouse).
            for deployment in (refresh, vintages):
                run = client.create_flow_run_from_deployment(deployment.id)
                deadline = time.monotonic() + RUN_TIMEOUT_S
                while not (state := client.read_flow_run(run.id).state).is_final():
                    assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                    time.sleep(1)
                states[deployment.name] = state.type.value
    finally:
        stop_process(serving)
        sources.stop()
    log = (tmp_path / "serve.log").read_text()
    assert states == {"served": "COMPLETED", "served-vintages": "COMPLETED"}, log[-3000:]
    assert [s.schedule.cron for s in refresh.schedules] == [cron]
    assert [s.schedule.cron for s in vintages.schedules] == [vintages_cron]
    assert vintages.parameters == {"warehouse_path": str(store), "wait": True, "quiet": True}
    assert "fredfakekey" not in json.dumps(vintages.parameters) + json.dumps(refresh.parameters)

    con = duckdb.connect(str(store), read_only=True)
    try:
        mart = con.execute("SELECT * FROM marts.c1_gap_vintages ORDER BY vintage_date").df()
    finally:
        con.close()
    # No dates given: every half-year since 2000, as of the run's day.
    held = [str(d)[:10] for d in mart["vintage_date"]]
    assert held == default_dates(2000)
    # One row recomputed from the values the fake ALFRED serves (scaled 1% per vintage year).
    row = mart[mart["vintage_date"].astype(str).str.startswith("2020-01-01")].iloc[0]
    quarter = str(row["last_quarter"])[:10]
    expect = {
        sid: 100
        * (
            round(series_values(sid)[quarter] * 1.2, 3)
            / round(series_values(sid)["1979-10-01"] * 1.2, 3)
            - 1
        )
        for sid in ("OPHNFB", "COMPRNFB")
    }
    assert row["gap_pts"] == pytest.approx(expect["OPHNFB"] - expect["COMPRNFB"])
