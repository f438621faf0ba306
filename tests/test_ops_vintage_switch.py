"""Issue 18 item 8: a refresh says what this run's inputs say. Switching between the plain
snapshot and its `nipa_2024-08` release, back and forth, leaves GDP 2023Q1 (and the release the
provenance names) at the value of the snapshot the last run read, without --force."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from ops_support import write_catalog

from decoupling.warehouse.connection import known_downloads


def _value(warehouse, series: str, day: str) -> float:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT value FROM staging.observations WHERE series_id = ? AND date = ?",
            [series, dt.date.fromisoformat(day)],
        ).fetchall()[0][0]
    finally:
        con.close()


def _release_url(warehouse, series: str) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT url FROM staging.series_release WHERE series_id = ?", [series]
        ).fetchall()[0][0]
    finally:
        con.close()


def _csv_value(path, day: str) -> float:
    for line in path.read_text().splitlines():
        if line.startswith(day + ","):
            return float(line.split(",")[1])
    raise AssertionError(f"{day} not in {path}")


def test_switching_snapshots_back_and_forth(snapshot_dir, tmp_path, monkeypatch):
    from ops_support import refresh_without_report

    nipa = snapshot_dir / "nipa_2024-08"
    plain_gdp = _csv_value(snapshot_dir / "GDP.csv", "2023-01-01")
    nipa_gdp = _csv_value(nipa / "GDP.csv", "2023-01-01")
    assert plain_gdp != nipa_gdp  # the two releases disagree on this quarter
    catalog = write_catalog(tmp_path / "catalog.csv", with_bls=False)
    with catalog.open("a") as handle:
        handle.write(
            "GDP,fred,,Gross domestic product,Billions of dollars,Q,SAAR,C1,Public domain,,\n"
        )
    monkeypatch.setenv("DECOUPLING_CATALOG", str(catalog))
    store = tmp_path / "store"
    warehouse = store / "warehouse.duckdb"
    plain = str(snapshot_dir)
    release_first = f"{nipa}:{snapshot_dir}"  # the release in front, the rest from the plain one
    for step, (folders, expected, folder) in enumerate(
        [
            (plain, plain_gdp, snapshot_dir),
            (release_first, nipa_gdp, nipa),
            (plain, plain_gdp, snapshot_dir),  # back: was left at the nipa value before
            (release_first, nipa_gdp, nipa),
            (plain, plain_gdp, snapshot_dir),
        ]
    ):
        monkeypatch.setenv("DECOUPLING_SNAPSHOT", folders)
        result = refresh_without_report(store)
        assert result["status"] == "refreshed", (step, result)
        assert _value(warehouse, "GDP", "2023-01-01") == pytest.approx(expected), step
        assert _release_url(warehouse, "GDP") == (folder / "GDP.csv").resolve().as_uri(), step
    from decoupling.settings import load_settings

    held = known_downloads(load_settings(warehouse=str(warehouse)))
    assert len({key for key, _ in held}) == len(held)  # one download in force per series
    con = duckdb.connect(str(warehouse), read_only=True)
    gdp = con.execute(
        "SELECT arg_max(sha256, accessed_at), count(*) FROM meta.downloads WHERE series_id = 'GDP'"
    ).fetchall()[0]
    con.close()
    assert ("GDP", gdp[0]) in held and gdp[1] == 5  # each switch recorded as a load
