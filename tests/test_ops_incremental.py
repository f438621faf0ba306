"""Incremental refreshes: with a FRED key, series FRED has not updated are not downloaded again;
what changed shows in `decoupling status` with its size."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_support import (
    FRED_SERIES,
    FakeSources,
    fred_csv,
    refresh_without_report,
    series_values,
    write_catalog,
)

from decoupling import cli
from decoupling.sources import http


@pytest.fixture
def sources():
    server = FakeSources().start()
    yield server
    server.stop()


@pytest.fixture
def keyed(sources: FakeSources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DECOUPLING_CATALOG", str(write_catalog(tmp_path / "catalog.csv", False)))
    monkeypatch.setenv("FRED_API_KEY", "fredfakekey0123456789abcdef0123")
    monkeypatch.setenv("FRED_BASE_URL", sources.url)
    monkeypatch.setenv("BLS_BASE_URL", sources.url)
    monkeypatch.setenv("DECOUPLING_FRED_RATE", "0")
    monkeypatch.setenv("DECOUPLING_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv(
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"
    )  # cli.main sets it
    http.reset_state()
    yield tmp_path
    http.reset_state()


def _observation_requests(sources: FakeSources) -> set[str]:
    return {key[4:] for _, key, path in sources.log if path.startswith("/fred/series/observations")}


def test_unchanged_series_are_not_downloaded(keyed: Path, sources: FakeSources, capsys) -> None:
    first = refresh_without_report(keyed)
    assert first["status"] == "refreshed" and first["new_rows"] > 0
    assert _observation_requests(sources) == set(FRED_SERIES)

    sources.log.clear()
    second = refresh_without_report(keyed)
    assert _observation_requests(sources) == set()  # only last_updated was asked
    assert second["not_updated"] == sorted(FRED_SERIES)
    assert (second["new_rows"], second["revised_rows"]) == (0, 0)

    # FRED updates OPHNFB (a revised value): only that series is downloaded, one new vintage.
    sources.log.clear()
    sources.last_updated["OPHNFB"] = "2024-12-05 07:50:00-06"
    values = series_values("OPHNFB")
    values["2001-01-01"] = values["2001-01-01"] + 2.0
    original = sources.api_body

    def revised_body(path: str, sid: str, api_key: str, query=None) -> bytes:
        body = original(path, sid, api_key, query)
        if sid == "OPHNFB" and path.endswith("observations"):
            old = str(series_values("OPHNFB")["2001-01-01"])
            new = str(values["2001-01-01"])
            body = body.replace(
                f'"2001-01-01", "value": "{old}"'.encode(),
                f'"2001-01-01", "value": "{new}"'.encode(),
            )
        return body

    sources.api_body = revised_body
    third = refresh_without_report(keyed)
    assert _observation_requests(sources) == {"OPHNFB"}
    assert (third["new_rows"], third["revised_rows"]) == (0, 1)

    code = cli.main(["status", "--warehouse", str(keyed / "warehouse.duckdb")])
    out = capsys.readouterr().out
    assert code == 0
    changed = out.split("revised by the last load:")[1]
    row = [line for line in changed.splitlines() if line.strip().startswith("OPHNFB")]
    assert row and row[0].split()[1:3] == ["0", "1"]
    assert "2" in row[0].split()[3]  # the size of the revision (2.0 index points)


def test_keyless_csv_without_last_updated_still_skips_identical_downloads(
    sources: FakeSources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DECOUPLING_CATALOG", str(write_catalog(tmp_path / "catalog.csv", False)))
    monkeypatch.setenv("FRED_BASE_URL", sources.url)
    monkeypatch.setenv("DECOUPLING_FRED_RATE", "0")
    http.reset_state()
    refresh_without_report(tmp_path)
    again = refresh_without_report(tmp_path)
    assert (again["new_rows"], again["revised_rows"]) == (0, 0)
    sources.bodies["OPHNFB"] = fred_csv("OPHNFB", {"2030-01-01": 1.0, **series_values("OPHNFB")})
    third = refresh_without_report(tmp_path)
    assert (third["new_rows"], third["revised_rows"]) == (1, 0)


def test_report_section_lists_the_revision(keyed: Path, sources: FakeSources) -> None:
    import duckdb

    from decoupling.report import build as report

    refresh_without_report(keyed)
    sources.bodies.clear()
    http.reset_state()
    # Without the key the keyless CSV is used: OPHNFB comes revised by +1% on one date.
    values = series_values("OPHNFB")
    old = values["2001-04-01"]
    values["2001-04-01"] = round(old * 1.01, 3)
    sources.bodies["OPHNFB"] = fred_csv("OPHNFB", values)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("FRED_API_KEY")
        refresh_without_report(keyed)
    con = duckdb.connect(str(keyed / "warehouse.duckdb"), read_only=True)
    try:
        context = report.gather(con)
    finally:
        con.close()
    rows = {r["series"]: r for r in context["changes"]["rows"]}
    assert rows["OPHNFB"]["revised_values"] == 1
    assert rows["OPHNFB"]["max_rel_revision"] == pytest.approx((values["2001-04-01"] - old) / old)
    from datetime import UTC, datetime

    html = report.render_html(context | {"generated_at": datetime.now(UTC)})
    assert "What changed in the last refresh" in html and "OPHNFB" in html


def test_vintages_show_how_the_gap_moved(keyed: Path, sources: FakeSources, monkeypatch) -> None:
    import duckdb
    import pandas as pd

    from decoupling import vintages

    monkeypatch.setattr("decoupling.sources.fred.VINTAGES_PER_REQUEST", 3)  # force several chunks
    refresh_without_report(keyed)
    dates = ["2004-01-01", "2008-01-01", "2012-01-01", "2016-01-01", "2020-01-01"]
    code = cli.main(
        ["vintages", "-q", "--dates", *dates, "--warehouse", str(keyed / "warehouse.duckdb")]
    )
    assert code == 0
    assert len(sources.vintage_requests) == 4  # 2 series x 2 chunks (3 + 2 dates)
    con = duckdb.connect(str(keyed / "warehouse.duckdb"), read_only=True)
    try:
        mart = con.execute("SELECT * FROM marts.c1_gap_vintages ORDER BY vintage_date").df()
        held = con.execute("SELECT count(*) FROM raw.vintages").fetchall()[0][0]
    finally:
        con.close()
    assert [d.isoformat() for d in pd.to_datetime(mart["vintage_date"]).dt.date] == dates
    # Independent computation from the values the server was built from.
    for row in mart.itertuples():
        year = row.vintage_date.year
        scale = 1 + (year - 2000) / 100
        last = f"{year - 2}-{row.vintage_date.month:02d}-01"
        assert row.last_quarter.isoformat()[:10] <= last
        expect = {}
        for sid in ("OPHNFB", "COMPRNFB"):
            values = series_values(sid)
            end = round(values[row.last_quarter.isoformat()[:10]] * scale, 3)
            base = round(values["1979-10-01"] * scale, 3)
            expect[sid] = 100 * (end / base - 1)
        assert row.gap_pts == pytest.approx(expect["OPHNFB"] - expect["COMPRNFB"])
    # Asking again adds nothing (append-only, one copy per series and vintage date).
    cli.main(["vintages", "-q", "--dates", *dates, "--warehouse", str(keyed / "warehouse.duckdb")])
    con = duckdb.connect(str(keyed / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw.vintages").fetchall()[0][0] == held
    finally:
        con.close()
    from decoupling.report import build as report

    con = duckdb.connect(str(keyed / "warehouse.duckdb"), read_only=True)
    try:
        section = next(s for s in report.gather(con)["sections"] if s.id == "Vintages")
    finally:
        con.close()
    assert section.available and len(section.charts[0].data) == len(dates)
    assert "<svg" in section.charts[0].svg
    assert vintages.validate_dates(["2020-01-01"]) == ["2020-01-01"]
    with pytest.raises(Exception, match="not a calendar date"):
        vintages.validate_dates(["2020-02-31"])
