"""Ctrl-C, SIGTERM and SIGKILL of a real `decoupling refresh` (subprocesses, a real Prefect
engine): it stops within 5 s with 130 or 143 and one line, the warehouse untouched, and no
process of ours (the temporary Prefect server included) outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ops_support import fred_csv, series_values, warehouse_digest, write_snapshot

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.e2e
PAUSED = "paused at warehouse"  # the test hook's line: the run is inside the staged copy


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict:
    """A small snapshot (hand-made values) and a warehouse refreshed from it, plain functions."""
    root = tmp_path_factory.mktemp("signals")
    snap = write_snapshot(root)
    catalog = root / "catalog.csv"
    env = _env(root / "before", snap, catalog)
    done = subprocess.run(
        [sys.executable, "-c", BUILD, str(root / "before")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The next refresh has work to do: one revised value.
    values = series_values("OPHNFB")
    values["2000-01-01"] += 1.0
    (snap / "OPHNFB.csv").write_bytes(fred_csv("OPHNFB", values))
    return {"root": root, "snap": snap, "catalog": catalog}


BUILD = """
import sys
from pathlib import Path
from ops_support import refresh_without_report
print(refresh_without_report(Path(sys.argv[1])))
"""


def _env(root: Path, snap: Path, catalog: Path, fault: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        DECOUPLING_CATALOG=str(catalog),
        DECOUPLING_SNAPSHOT=str(snap),
        DECOUPLING_WAREHOUSE=str(root / "warehouse.duckdb"),
        DECOUPLING_RAW_DIR=str(root / "raw"),
        DECOUPLING_OUTPUT_DIR=str(root / "output"),
        PYTHONPATH=str(REPO / "tests"),
    )
    if fault:
        env["DECOUPLING_FAULT"] = fault
    return env


def _copy(base: dict, name: str) -> Path:
    import shutil

    root = base["root"] / name
    shutil.copytree(base["root"] / "before", root, symlinks=True)
    return root


def _descendants(pid: int) -> set[int]:
    """Every process started below `pid` (including ones in another session)."""
    found, frontier = set(), [pid]
    while frontier:
        parent = frontier.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent and int(entry.name) not in found:
                found.add(int(entry.name))
                frontier.append(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _start_paused(base: dict, root: Path) -> tuple[subprocess.Popen, Path]:
    """A CLI refresh that waits (test hook) inside its staged copy; returns once it does."""
    log = root / "stderr.log"
    child = subprocess.Popen(
        [sys.executable, "-m", "decoupling.cli", "refresh"],
        cwd=REPO,
        env=_env(root, base["snap"], base["catalog"], fault="pause:warehouse"),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    deadline = time.monotonic() + 400  # the engine starts slowly on a busy machine
    while PAUSED not in log.read_text():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the refresh never reached the pause:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    return child, log


@pytest.mark.parametrize(
    ("how", "code"),
    [("ctrl-c", 130), ("sigterm", 143)],
)
def test_a_signal_stops_the_run_in_5_s_with_one_line(base, how, code):
    root = _copy(base, how)
    before = warehouse_digest(root / "warehouse.duckdb")
    child, log = _start_paused(base, root)
    ours = _descendants(child.pid)
    assert any("engine_guard" in _cmdline(pid) for pid in ours), "no temporary server seen"
    sent = time.monotonic()
    if how == "ctrl-c":
        os.killpg(child.pid, signal.SIGINT)  # what the terminal sends to the foreground job
    else:
        os.kill(child.pid, signal.SIGTERM)
    rc = child.wait(timeout=30)
    took = time.monotonic() - sent
    err = log.read_text()
    assert rc == code, err[-2000:]
    assert took < 5, f"took {took:.1f} s"
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1] == "interrupted: nothing published", err[-2000:]
    assert "Traceback" not in err and "EventsWorker" not in err, err[-3000:]
    assert warehouse_digest(root / "warehouse.duckdb") == before
    assert not list(root.glob("*.building*")), "a staged copy was left behind"
    assert not list((root / "published").glob(".*.building")), "a readers' copy was left"
    assert not _alive(ours), f"still running after the CLI exited: {_alive(ours)}"


def test_after_sigkill_no_process_of_ours_is_alive_10_s_later(base):
    root = _copy(base, "sigkill")
    before = warehouse_digest(root / "warehouse.duckdb")
    child, _ = _start_paused(base, root)
    ours = _descendants(child.pid)
    server = {pid for pid in ours if "engine_guard" in _cmdline(pid)}
    assert server, "no temporary server seen"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(ours) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(ours), f"alive 10 s after SIGKILL: {_alive(ours)}"
    assert warehouse_digest(root / "warehouse.duckdb") == before


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
