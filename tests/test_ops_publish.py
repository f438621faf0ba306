"""Publishing under stress: SIGKILL at random points, two refreshes at once, readers during a
refresh, and the readers' copy (read-only DuckDB + Parquet of every mart)."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from ops_support import warehouse_digest

from decoupling import cli, pipeline, query, warehouse
from decoupling.pipeline import Options
from decoupling.warehouse import readers as exports

REPO = Path(__file__).resolve().parents[1]
C1_SERIES = ["OPHNFB", "COMPRNFB", "AHETPI", "CPIAUCSL"]
KILL_REPEATS = 6

# The refresh as a child process: plain functions and no report (its own tests cover it), so
# the kill lands in the fetch, load, transform or publish, not in start-up or PDF drawing.
CHILD = """
import sys
from datetime import UTC, datetime
from decoupling import pipeline
from decoupling import warehouse
root, snap = sys.argv[1], sys.argv[2]
options = pipeline.Options(snapshots=[snap], series={series!r}, warehouse=root + '/warehouse.duckdb',
    output_dir=root + '/output', raw_dir=root + '/raw', quiet=True, wait={wait})
settings = options.settings()
with warehouse.refresh_lock(settings, wait=options.wait):
    fetched = pipeline.fetch_for(options, settings)
    pipeline.refresh_locked(options, settings, fetched, datetime.now(UTC))
print('done', flush=True)
"""


def run_refresh(options: Options) -> dict:
    """The refresh without the report, in this process."""
    settings = options.settings()
    with warehouse.refresh_lock(settings):
        fetched = pipeline.fetch_for(options, settings)
        return pipeline.refresh_locked(options, settings, fetched, datetime.now(UTC))


def _options(root: Path, snapshot: Path, **kw) -> Options:
    return Options(
        snapshots=[str(snapshot)],
        series=C1_SERIES,
        warehouse=str(root / "warehouse.duckdb"),
        output_dir=str(root / "output"),
        raw_dir=str(root / "raw"),
        quiet=True,
        **kw,
    )


def _revise(snapshot: Path) -> None:
    """Revise every 2000s value of OPHNFB by 1%: the next refresh has real work to publish."""
    csv = snapshot / "OPHNFB.csv"
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    dates, values = table.columns
    mask = table[dates].str.startswith("200") & (table[values] != "")
    table.loc[mask, values] = (table.loc[mask, values].astype(float) * 1.01).round(3).astype(str)
    table.to_csv(csv, index=False)


@pytest.fixture(scope="module")
def states(snapshot_dir: Path, tmp_path_factory) -> dict:
    """A warehouse before a revision, the snapshot with the revision, and the digests of both."""
    base = tmp_path_factory.mktemp("publish")
    snap = base / "snap"
    snap.mkdir()
    for sid in C1_SERIES:
        shutil.copyfile(snapshot_dir / f"{sid}.csv", snap / f"{sid}.csv")
    before = base / "before"
    run_refresh(_options(before, snap))
    _revise(snap)
    after = base / "after"
    shutil.copytree(before, after, symlinks=True)
    started = time.monotonic()
    result = run_refresh(_options(after, snap))
    assert result["revised_rows"] > 0
    return {
        "snap": snap,
        "before": before,
        "before_digest": warehouse_digest(before / "warehouse.duckdb"),
        "after_digest": warehouse_digest(after / "warehouse.duckdb"),
        "seconds": time.monotonic() - started,
    }


def _child(root: Path, snap: Path, wait: bool = False) -> subprocess.Popen:
    code = CHILD.format(series=C1_SERIES, wait=wait)
    return subprocess.Popen(
        [sys.executable, "-c", code, str(root), str(snap)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sigkill_leaves_before_or_after(states: dict, tmp_path: Path) -> None:
    assert states["before_digest"] != states["after_digest"]
    rng = random.Random()
    seen = []
    # How long a whole child lives (start-up included), so kills spread over all of it.
    timing = tmp_path / "timing"
    shutil.copytree(states["before"], timing, symlinks=True)
    started = time.monotonic()
    child = _child(timing, states["snap"])
    out, err = child.communicate(timeout=180)
    horizon = time.monotonic() - started
    assert child.returncode == 0, err
    assert warehouse_digest(timing / "warehouse.duckdb") == states["after_digest"]
    for attempt in range(KILL_REPEATS):
        root = tmp_path / f"kill{attempt}"
        shutil.copytree(states["before"], root, symlinks=True)
        child = _child(root, states["snap"])
        delay = rng.uniform(0.3 * horizon, horizon)  # the first third is interpreter start-up
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
        digest = warehouse_digest(root / "warehouse.duckdb")  # it opens
        assert digest in (states["before_digest"], states["after_digest"]), f"kill at {delay:.2f}s"
        seen.append((round(delay, 2), "after" if digest == states["after_digest"] else "before"))
        # The readers' copy is whole too: its manifest names a version that exists.
        run_id = exports.current_run(Options(warehouse=str(root / "warehouse.duckdb")).settings())
        assert run_id is not None
        assert (root / "published" / "current" / "warehouse.duckdb").is_file()
    print("kill points (s, state):", seen)
    # After a kill the next refresh runs normally and clears what the killed one left.
    root = tmp_path / "kill0"
    run_refresh(_options(root, states["snap"]))
    assert warehouse_digest(root / "warehouse.duckdb") == states["after_digest"]
    assert not list(root.glob("*.building*"))


def test_second_refresh_refuses_at_once_or_waits(states: dict, tmp_path: Path, capsys) -> None:
    root = tmp_path / "busy"
    shutil.copytree(states["before"], root, symlinks=True)
    options = _options(root, states["snap"])
    settings = options.settings()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
    argv = [
        sys.executable,
        "-m",
        "decoupling.cli",
        "refresh",
        "--snapshot",
        str(states["snap"]),
        "--warehouse",
        str(root / "warehouse.duckdb"),
        "--series",
        *C1_SERIES,
    ]
    env["DECOUPLING_OUTPUT_DIR"] = str(root / "output")
    with warehouse.refresh_lock(settings):  # a refresh is running
        refused = subprocess.run(
            argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        waiting = subprocess.Popen(
            [*argv, "--wait"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        time.sleep(1.0)
        assert waiting.poll() is None  # still queued behind the lock
        capsys.readouterr()
        assert cli.main(["status", "--warehouse", str(root / "warehouse.duckdb")]) == 0
        assert f"refresh running: yes (pid {os.getpid()})" in capsys.readouterr().out
    assert refused.returncode == 3, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert lines[-1].startswith("busy: another refresh is running") and "--wait" in lines[-1]
    assert warehouse_digest(root / "warehouse.duckdb") == states["before_digest"]
    out, err = waiting.communicate(timeout=180)
    assert waiting.returncode == 0, err
    assert warehouse_digest(root / "warehouse.duckdb") == states["after_digest"]


def test_two_refreshes_started_together(states: dict, tmp_path: Path) -> None:
    root = tmp_path / "together"
    shutil.copytree(states["before"], root, symlinks=True)
    children = [_child(root, states["snap"]) for _ in range(2)]
    results = []
    for child in children:
        out, err = child.communicate(timeout=180)
        results.append((child.returncode, out, err))
    finished = [r for r in results if r[0] == 0]
    refused = [r for r in results if r[0] != 0]
    assert finished, results
    for _, _, err in refused:
        assert "WarehouseBusy" in err and "another refresh is running" in err
    assert warehouse_digest(root / "warehouse.duckdb") == states["after_digest"]
    assert not list(root.glob("*.building*"))


def test_readers_are_not_blocked_and_see_the_old_warehouse(states: dict, tmp_path: Path) -> None:
    root = tmp_path / "readers"
    shutil.copytree(states["before"], root, symlinks=True)
    settings = _options(root, states["snap"]).settings()
    sql = "SELECT count(*) AS n FROM raw.observations"
    held = query.run_query(sql, str(settings.warehouse))["n"][0]
    with warehouse.refresh_lock(settings), warehouse.staged(settings) as con:
        con.execute("DELETE FROM raw.observations")  # a half-built copy
        # `decoupling query` and a plain read-only DuckDB connection both work meanwhile.
        assert query.run_query(sql, str(settings.warehouse))["n"][0] == held
        reader = duckdb.connect(str(settings.warehouse), read_only=True)
        assert reader.execute(sql).fetchall()[0][0] == held
        reader.close()
    # The block completed, so the emptied copy was published; readers now see it whole.
    assert query.run_query(sql, str(settings.warehouse))["n"][0] == 0


def test_readers_copy_holds_every_mart(states: dict) -> None:
    settings = _options(states["before"], states["snap"]).settings()
    current = exports.current_dir(settings)
    manifest = json.loads((current / "MANIFEST.json").read_text())
    con = duckdb.connect(str(current / "warehouse.duckdb"), read_only=True)
    try:
        marts = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        ]
        assert marts and sorted(manifest["marts"]) == sorted(marts)
        for table in marts:
            path = str(current / manifest["marts"][table])
            for left, right in (
                (f"read_parquet('{path}')", f'marts."{table}"'),
                (f'marts."{table}"', f"read_parquet('{path}')"),
            ):
                extra = con.execute(
                    f"SELECT count(*) FROM (SELECT * FROM {left} EXCEPT ALL SELECT * FROM {right})"
                ).fetchall()[0][0]
                assert extra == 0, (table, left)
    finally:
        con.close()
    assert not os.access(current / "warehouse.duckdb", os.W_OK) or os.geteuid() == 0
    assert ((current / "warehouse.duckdb").stat().st_mode & 0o222) == 0
    assert manifest["run_id"] == warehouse.last_refresh(settings)[0]
