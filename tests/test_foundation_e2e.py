"""Acceptance of the foundation: the refresh under a real Prefect engine, idempotent and
vintage-aware reloads, and an offline run that stops quickly and touches nothing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from ops_support import file_sha, warehouse_digest

from decoupling.pipeline import Options, run_refresh
from decoupling.sources import bea, bls_files
from flows.refresh import parameters, refresh

REPO = Path(__file__).resolve().parents[1]
C1_SERIES = ["OPHNFB", "COMPRNFB", "AHETPI", "CPIAUCSL"]
pytestmark = pytest.mark.usefixtures("patient_engine")


def _options(root: Path, snapshot: Path, **kw) -> Options:
    return Options(
        snapshots=[str(snapshot)],
        warehouse=str(root / "warehouse.duckdb"),
        output_dir=str(root / "output"),
        raw_dir=str(root / "raw"),
        quiet=True,
        **kw,
    )


def _growth_from_csv(path: Path) -> tuple[pd.Timestamp, float]:
    """OPHNFB growth from 1979Q4 to its last observation, straight from the FRED CSV."""
    table = pd.read_csv(path, na_values=["."])
    table.columns = ["date", "value"]
    table["date"] = pd.to_datetime(table["date"])
    table = table.dropna()
    base = table.loc[table["date"] == "1979-10-01", "value"].iloc[0]
    last = table.iloc[-1]
    return last["date"], 100 * (last["value"] / base - 1)


@pytest.mark.e2e
def test_refresh_flow_under_prefect_matches_csv(
    snapshot_dir: Path, tmp_path: Path, with_pdf, monkeypatch
) -> None:
    """(a) The whole snapshot through the Prefect flow, the PDF included; C1 marts checked against
    pandas. (b) The same again is unchanged, and reads no workbook for its release date."""
    releases_read = []
    for module, name in ((bea, "workbook_release_date"), (bls_files, "te_release")):
        reader = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, reader=reader: releases_read.append(1) or reader(*a)
        )
    options = _options(tmp_path, snapshot_dir)
    result = refresh(**parameters(options))  # a real engine (Prefect's ephemeral server)
    assert result["status"] == "refreshed"
    assert len(releases_read) == 2  # the BEA Section workbook, the BLS total-economy workbook
    # Prefect must not ask the downloads for their vintages (walking the task's inputs, hashing
    # them for a cache key): an unchanged refresh needs checksums only.
    assert refresh(**parameters(options))["status"] == "unchanged"
    assert len(releases_read) == 2
    last_date, growth = _growth_from_csv(snapshot_dir / "OPHNFB.csv")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT date, productivity FROM marts.productivity_pay "
            "WHERE productivity IS NOT NULL ORDER BY date DESC LIMIT 1"
        ).fetchall()
        runs = con.execute("SELECT count(*) FROM meta.runs WHERE command = 'refresh'").fetchall()
    finally:
        con.close()
    mart_date, productivity = rows[0]
    assert pd.Timestamp(mart_date) == last_date
    assert productivity - 100 == pytest.approx(growth, abs=1e-9)
    assert runs[0][0] == 1
    assert (tmp_path / "output" / "report.html").is_file()
    assert (tmp_path / "output" / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "published" / "current" / "parquet" / "productivity_pay.parquet").is_file()


@pytest.fixture
def small_snapshot(snapshot_dir: Path, tmp_path: Path) -> Path:
    """The four C1 series copied from the real snapshot into tmp_path (never into the repo)."""
    folder = tmp_path / "snap"
    folder.mkdir()
    for sid in C1_SERIES:
        shutil.copyfile(snapshot_dir / f"{sid}.csv", folder / f"{sid}.csv")
    return folder


def _count_raw(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM raw.observations").fetchall()[0][0]
    finally:
        con.close()


def test_same_snapshot_twice_adds_nothing(small_snapshot: Path, tmp_path: Path) -> None:
    """(b) A second refresh of the same files: no new raw rows, identical marts."""
    root = tmp_path / "wh"
    first = run_refresh(_options(root, small_snapshot, series=C1_SERIES))
    assert first["status"] == "refreshed" and first["new_rows"] > 0
    rows, digest = (
        _count_raw(root / "warehouse.duckdb"),
        warehouse_digest(root / "warehouse.duckdb"),
    )
    again = run_refresh(_options(root, small_snapshot, series=C1_SERIES))
    assert again["status"] == "unchanged"
    forced = run_refresh(_options(root, small_snapshot, series=C1_SERIES, force=True))
    assert forced["status"] == "refreshed"
    assert (forced["new_rows"], forced["revised_rows"]) == (0, 0)
    assert _count_raw(root / "warehouse.duckdb") == rows
    assert warehouse_digest(root / "warehouse.duckdb") == digest


def test_revised_value_is_a_new_vintage(small_snapshot: Path, tmp_path: Path) -> None:
    """(b) One value revised: one new raw row, marts follow it, the old value stays queryable."""
    root = tmp_path / "wh"
    run_refresh(_options(root, small_snapshot, series=C1_SERIES))
    rows_before = _count_raw(root / "warehouse.duckdb")
    csv = small_snapshot / "OPHNFB.csv"
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    index = table.index[table.iloc[:, 0] == "2000-01-01"][0]
    old_value = float(table.iloc[index, 1])
    new_value = round(old_value * 1.01, 3)
    table.iloc[index, 1] = str(new_value)
    table.to_csv(csv, index=False)

    result = run_refresh(_options(root, small_snapshot, series=C1_SERIES))
    assert (result["new_rows"], result["revised_rows"]) == (0, 1)
    assert _count_raw(root / "warehouse.duckdb") == rows_before + 1
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        held = con.execute(
            "SELECT value FROM raw.observations WHERE series_id = 'OPHNFB' "
            "AND date = DATE '2000-01-01' ORDER BY vintage, load_seq"
        ).fetchall()
        base = con.execute(
            "SELECT value FROM staging.quarterly WHERE series_id = 'OPHNFB' "
            "AND date = DATE '1979-10-01'"
        ).fetchall()[0][0]
        mart = con.execute(
            "SELECT productivity FROM marts.productivity_pay WHERE date = DATE '2000-01-01'"
        ).fetchall()[0][0]
        change = con.execute(
            "SELECT revised_values, max_abs_revision FROM meta.changes "
            "WHERE run_id = ? AND series_id = 'OPHNFB'",
            [result["run_id"]],
        ).fetchall()
    finally:
        con.close()
    assert [v for (v,) in held] == [old_value, new_value]
    assert mart == pytest.approx(100 * new_value / base)
    assert change[0][0] == 1 and change[0][1] == pytest.approx(new_value - old_value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_refresh_stops_fast_and_touches_nothing(small_snapshot: Path, tmp_path: Path):
    """(c) No network, no snapshot: one line naming the source and the snapshot way, exit 1."""
    root = tmp_path / "wh"
    run_refresh(_options(root, small_snapshot, series=C1_SERIES))
    published = root / "warehouse.duckdb"
    before = file_sha(published)
    closed = f"http://127.0.0.1:{_closed_port()}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DECOUPLING_SNAPSHOT", "FRED_API_KEY", "BLS_API_KEY")
    }
    env.update(
        FRED_BASE_URL=closed,
        BLS_BASE_URL=closed,
        DECOUPLING_WAREHOUSE=str(published),
        DECOUPLING_OUTPUT_DIR=str(root / "output"),
        DECOUPLING_RAW_DIR=str(root / "raw"),
        PREFECT_HOME=str(tmp_path / "prefect"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "decoupling.cli", "refresh"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert done.returncode == 1, done.stderr
    assert len(errors) == 1, done.stderr
    assert "fred" in errors[0] and "cannot reach 127.0.0.1" in errors[0]
    assert "--snapshot" in errors[0] or "DECOUPLING_SNAPSHOT" in errors[0]
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == errors[0]
    assert file_sha(published) == before
