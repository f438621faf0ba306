"""Issue 15 items 2-4 and issue 18 item 1: the replication bundle, refreshes that do nothing when
nothing changed (whatever ran before), selective rebuilds, report freshness, and release dates in
the provenance table (never a file's date)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]

# A few real series: C1 (productivity, pay, prices), C5 (labor share), C3 (investment, profits).
SERIES = ("OPHNFB", "COMPRNFB", "AHETPI", "CPIAUCSL", "PRS85006173", "PNFI", "CP")


@pytest.fixture()
def small_world(snapshot_dir: Path, tmp_path: Path, monkeypatch) -> dict:
    """A snapshot of a few files copied today (their mtime is today), its manifest, and a catalog
    of just those series; warehouse, output and raw folders in tmp."""
    snap = tmp_path / "snap"
    snap.mkdir()
    for series in SERIES:
        shutil.copyfile(snapshot_dir / f"{series}.csv", snap / f"{series}.csv")
    shutil.copyfile(snapshot_dir / "manifest.csv", snap / "manifest.csv")
    catalog = tmp_path / "catalog.csv"
    with (REPO / "decoupling" / "catalog.csv").open(newline="") as src:
        rows = list(csv.reader(src))
    with catalog.open("w", newline="") as out:
        csv.writer(out).writerows([rows[0]] + [r for r in rows[1:] if r[0] in SERIES])
    monkeypatch.setenv("DECOUPLING_CATALOG", str(catalog))
    from decoupling.settings import Options

    def options(**extra) -> Options:
        base = dict(
            snapshots=[str(snap)],
            warehouse=str(tmp_path / "wh" / "warehouse.duckdb"),
            output_dir=str(tmp_path / "out"),
            raw_dir=str(tmp_path / "raw"),
            quiet=True,
        )
        return Options(**{**base, **extra})

    return {"snap": snap, "options": options, "root": tmp_path}


def _report_run(options) -> str:
    return json.loads((Path(options.output_dir) / "report.json").read_text())["run_id"]


def _last_run(options) -> str:
    con = duckdb.connect(options.warehouse, read_only=True)
    try:
        return con.execute(
            "SELECT run_id FROM meta.runs ORDER BY finished_at DESC LIMIT 1"
        ).fetchall()[0][0]
    finally:
        con.close()


def test_unchanged_whatever_ran_before(small_world):
    """transform && report && refresh ends "unchanged"; `--series` twice: the second too."""
    from decoupling.pipeline import run_refresh, run_report, run_transform

    options = small_world["options"]()
    assert run_refresh(options)["status"] == "refreshed"
    run_transform(options)
    run_report(options)
    assert run_refresh(options)["status"] == "unchanged"
    partial = small_world["options"](series=["OPHNFB"])
    assert run_refresh(partial)["status"] == "unchanged"
    assert run_refresh(partial)["status"] == "unchanged"
    # A parameter the models read is part of what "unchanged" means.
    os.environ["DECOUPLING_C2_ANCHOR_PRICE"] = "1500"
    try:
        assert run_refresh(options)["status"] == "refreshed"
    finally:
        del os.environ["DECOUPLING_C2_ANCHOR_PRICE"]


def test_one_changed_value_rebuilds_only_downstream(small_world):
    from decoupling.pipeline import run_refresh

    options = small_world["options"]()
    run_refresh(options)
    path = small_world["snap"] / "PRS85006173.csv"
    lines = path.read_text().splitlines()
    date, value = lines[-1].split(",")
    lines[-1] = f"{date},{float(value) + 1.0}"
    path.write_text("\n".join(lines) + "\n")
    result = run_refresh(options)
    assert result["status"] == "refreshed"
    assert result["changed_inputs"] == ["PRS85006173"]
    assert result["revised_rows"] == 1
    # The labor share reads the changed series; the C1 marts do not.
    assert "marts.labor_share" in result["models_rebuilt"]
    assert "marts.productivity_pay" in result["models_skipped"]
    assert "marts.c1_series" in result["models_skipped"]
    con = duckdb.connect(options.warehouse, read_only=True)
    try:
        held = con.execute(
            "SELECT nfb_labor_share_idx FROM marts.labor_share WHERE date = ?", [date]
        ).fetchall()
    finally:
        con.close()
    assert held and abs(held[0][0] - (float(value) + 1.0)) < 1e-9


def test_report_behind_the_warehouse_is_rebuilt(small_world):
    """Issue 18 item 1: a refresh killed right after "published for readers" leaves the report
    of the previous run; the next refresh (no --force) must rebuild it, not call it current."""
    from decoupling import pipeline, warehouse

    options = small_world["options"]()
    pipeline.run_refresh(options)
    old_report = _report_run(options)
    path = small_world["snap"] / "CP.csv"
    path.write_text(path.read_text().replace("\n1990-01-01,", "\n1990-01-01,1", 1))
    settings = options.settings()
    # What a refresh does up to "published for readers" (the report comes after it).
    with warehouse.refresh_lock(settings):
        fetched = pipeline.fetch_for(options, settings)
        published = pipeline.refresh_locked(options, settings, fetched, datetime.now(UTC))
    assert published["status"] == "refreshed"
    assert _report_run(options) == old_report != _last_run(options)
    again = pipeline.run_refresh(options)
    assert again["status"] == "republished" and again["rebuilt"] == ["report"]
    assert _report_run(options) == _last_run(options) == published["run_id"]
    assert (
        f"<code>{published['run_id']}</code>"
        in (Path(options.output_dir) / "report.html").read_text()
    )
    assert pipeline.run_refresh(options)["status"] == "unchanged"


def test_provenance_dates_never_a_file_date(small_world):
    """Files copied today: no release or access date is today; the manifest's dates are used."""
    from decoupling.pipeline import run_refresh
    from decoupling.report.build import provenance

    options = small_world["options"]()
    run_refresh(options)
    today = datetime.now(UTC).date().isoformat()
    mtime = datetime.fromtimestamp((small_world["snap"] / "CP.csv").stat().st_mtime).date()
    assert mtime.isoformat() == today  # the premise: the copies are dated today
    con = duckdb.connect(options.warehouse, read_only=True)
    try:
        rows = {r["id"]: r for r in provenance(con)}
    finally:
        con.close()
    assert set(SERIES) <= set(rows)
    for row in rows.values():
        assert today not in (row["release_date"], row["access_date"]), row
        assert "file dated" not in (row["vintage"] or "")
    # manifest.csv: CP is FRED's vintage of 2025-02-06 ("realtime_start=...=2025-02-06").
    assert rows["CP"]["release_date"] == "2025-02-06"
    # OPHNFB: no release date stated; the copy was committed 2026-06-14 (latest of its sources).
    assert rows["OPHNFB"]["release_date"] == "unknown"
    assert rows["OPHNFB"]["access_date"] == "2026-06-14"
    csv_text = (Path(options.output_dir) / "data" / "provenance.csv").read_text()
    assert "release_date" in csv_text.splitlines()[0]


def _table(path: str, query: str):
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_bundle_round_trip(small_world, tmp_path):
    """The bundle holds every input compactly, with checksums; a refresh from it gives the same
    marts, and the report says it ran from bundled data."""
    from decoupling import bundle
    from decoupling.pipeline import run_refresh

    options = small_world["options"]()
    run_refresh(options)
    target = tmp_path / "bundle"
    manifest = bundle.write_bundle(options.settings(), target)
    assert manifest["bytes"] <= bundle.MAX_BYTES
    assert {i["series_id"] for i in manifest["inputs"]} == set(SERIES)
    for name, info in manifest["files"].items():
        assert bundle._sha256(target / name) == info["sha256"]
    shas = {i["series_id"]: i["sha256"] for i in manifest["inputs"]}
    import hashlib

    original = (small_world["snap"] / "OPHNFB.csv").read_bytes()
    assert shas["OPHNFB"] == hashlib.sha256(original).hexdigest()
    assert not list(target.glob("*.csv"))  # no snapshot file copied
    replay = small_world["options"](
        snapshots=[str(target)],
        warehouse=str(tmp_path / "wh2" / "warehouse.duckdb"),
        output_dir=str(tmp_path / "out2"),
    )
    assert run_refresh(replay)["status"] == "refreshed"
    # The inputs come back bit for bit; the marts up to summation order (last digit).
    inputs = "SELECT series_id, date, value FROM staging.observations ORDER BY ALL"
    assert _table(replay.warehouse, inputs) == _table(options.warehouse, inputs)
    query = "SELECT * FROM marts.productivity_pay ORDER BY date"
    replayed, first = _table(replay.warehouse, query), _table(options.warehouse, query)
    assert len(replayed) == len(first) > 100
    for a, b in zip(replayed, first, strict=True):
        assert [x is None for x in a] == [x is None for x in b]
        numbers = [(x, y) for x, y in zip(a[1:], b[1:], strict=True) if x is not None]
        assert a[0] == b[0] and [x for x, _ in numbers] == pytest.approx(
            [y for _, y in numbers], rel=1e-12
        )
    html = (Path(replay.output_dir) / "report.html").read_text()
    assert f"offline: data as bundled on {manifest['built_on']}" in html
    assert run_refresh(replay)["status"] == "unchanged"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed once the socket is: connections are refused


@pytest.mark.usefixtures("data_dir")
def test_make_run_falls_back_to_the_bundle_when_offline(tmp_path):
    """No source reachable, no snapshot set: `refresh --offline-fallback` (what `make run` runs)
    says so in one line and builds the report from the committed bundle, with the banner."""
    if not (REPO / "bundle" / "manifest.json").is_file():
        pytest.skip("no committed bundle/ in this checkout")
    port = _closed_port()
    env = {
        **os.environ,
        "FRED_BASE_URL": f"http://127.0.0.1:{port}",
        "BLS_BASE_URL": f"http://127.0.0.1:{port}",
        "DECOUPLING_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "DECOUPLING_OUTPUT_DIR": str(tmp_path / "out"),
        "DECOUPLING_RAW_DIR": str(tmp_path / "raw"),
        "DECOUPLING_HTTP_RETRIES": "0",
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("DECOUPLING_SNAPSHOT", None)
    command = [sys.executable, "-m", "decoupling.cli", "refresh", "--offline-fallback"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    offline_lines = [line for line in done.stderr.splitlines() if line.startswith("offline (")]
    assert len(offline_lines) == 1, done.stderr[-2000:]
    built = json.loads((REPO / "bundle" / "manifest.json").read_text())["built_on"]
    html = (tmp_path / "out" / "report.html").read_text()
    assert f"offline: data as bundled on {built}" in html
