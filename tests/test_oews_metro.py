"""OEWS metropolitan-area zips: hand-made files served from 127.0.0.1, parsed whole, one area kept."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from decoupling import ingest, transform, warehouse
from decoupling.catalog import load_catalog
from decoupling.settings import Settings
from decoupling.sources import oews_metro
from decoupling.sources.base import Download, SourceError, parse

UA = "decoupling-tests/0.1 (tests@example.org)"
ENTRY = next(e for e in load_catalog() if e.id == "OEWS_NY_METRO")
HEADER = ["AREA", "AREA_TITLE", "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN"]
HEADER += ["A_MEAN", "H_MEDIAN", "A_MEDIAN"]
NY = "New York-Newark-Jersey City, NY-NJ-PA"
ROWS = [
    [35620, NY, "00-0000", "All Occupations", "total", 9000000, 38.5, 80080, 28.0, 58240],
    [35620, NY, "39-5011", "Barbers", "detailed", 4000, 21.25, 44200, 18.0, 37440],
    [35620, NY, "29-1211", "Anesthesiologists", "detailed", 900, "#", "#", "#", "#"],
    [12060, "Atlanta", "39-5011", "Barbers", "detailed", 900, 15.0, 31200, 14.0, 29120],
]


def workbook(rows=ROWS, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "MSA_M2030_dl"
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def metro_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("oesm30ma/field_descriptions.xlsx", b"not a data file")
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def download(body: bytes, year: int = 2030) -> Download:
    return Download(
        source="oews",
        series_id="OEWS_NY_METRO",
        url="file:///x",
        body=body,
        fmt="oews_msa_zip",
        license="PD",
        part=f"M{year}",
        extension="zip",
    )


def value(frame: pd.DataFrame, sid: str) -> float:
    rows = frame[frame["series_id"] == sid]
    assert len(rows) == 1, sid
    return float(rows["value"].iloc[0])


def test_only_the_catalog_area_is_kept_with_markers():
    frame = parse(download(metro_zip({"oesm30ma/MSA_M2030_dl.xlsx": workbook()})))
    assert value(frame, "OEWS_MSA35620_395011_H_MEAN") == 21.25
    assert value(frame, "OEWS_MSA35620_000000_TOT_EMP") == 9000000
    assert pd.isna(value(frame, "OEWS_MSA35620_291211_H_MEAN"))
    assert value(frame, "OEWS_MSA35620_291211_H_MEAN_TOPCODED") == 1.0
    assert not frame["series_id"].str.contains("12060").any()
    assert set(frame["date"]) == {pd.Timestamp(2030, 1, 1)}
    label = frame.loc[frame["series_id"] == "OEWS_MSA35620_395011_H_MEAN", "label"].iloc[0]
    assert label.startswith("Barbers (SOC 39-5011), New York-Newark-Jersey City")


def test_split_workbooks_of_older_years_are_all_read():
    first, second = workbook(ROWS[3:]), workbook(ROWS[:2])
    body = metro_zip({"MSA_dl_1.xlsx": first, "MSA_dl_2.xlsx": second})
    frame = parse(download(body, year=2012))
    assert value(frame, "OEWS_MSA35620_395011_H_MEAN") == 21.25
    assert set(frame["date"]) == {pd.Timestamp(2012, 1, 1)}


def test_bad_number_and_missing_column_name_file_and_column():
    rows = [list(r) for r in ROWS]
    rows[1][HEADER.index("H_MEAN")] = "n/a"
    with pytest.raises(SourceError) as error:
        parse(download(metro_zip({"MSA_M2030_dl.xlsx": workbook(rows)})))
    message = str(error.value)
    for part in ("oesm30ma.zip", "MSA_M2030_dl.xlsx", "H_MEAN", "39-5011", "'n/a'"):
        assert part in message
    header = [h for h in HEADER if h != "AREA"]
    body = metro_zip({"MSA_M2030_dl.xlsx": workbook([r[1:] for r in ROWS], header)})
    with pytest.raises(SourceError, match=r"MSA_M2030_dl\.xlsx: no column AREA"):
        parse(download(body))
    with pytest.raises(SourceError, match="no rows for area 35620"):
        parse(download(metro_zip({"MSA_M2030_dl.xlsx": workbook(ROWS[3:])})))


def settings_for(base_url: str, tmp_path: Path) -> Settings:
    return Settings(
        warehouse=tmp_path / "w.duckdb",
        raw_dir=tmp_path / "raw",
        output_dir=tmp_path / "out",
        bls_base_url=base_url,
        user_agent=UA,
        http_timeout=5.0,
    )


def test_live_fetch_keeps_the_zip_and_skips_a_404_year(httpserver, tmp_path):
    body = metro_zip({"oesm30ma/MSA_M2030_dl.xlsx": workbook()})
    httpserver.expect_request(
        "/oes/special-requests/oesm30ma.zip", headers={"User-Agent": UA}
    ).respond_with_data(body, content_type="application/zip")
    httpserver.expect_request("/oes/special-requests/oesm29ma.zip").respond_with_data(
        "not found", status=404
    )
    base = httpserver.url_for("/").rstrip("/")
    got = oews_metro.fetch(ENTRY, settings_for(base, tmp_path), years=[2029, 2030])
    assert [(d.part, d.fmt, d.extension) for d in got] == [("M2030", "oews_msa_zip", "zip")]
    assert got[0].body == body and got[0].url.endswith("/oes/special-requests/oesm30ma.zip")
    assert value(parse(got[0]), "OEWS_MSA35620_395011_H_MEAN") == 21.25


def test_new_york_wage_reaches_the_c2_mart(warehouse_copy):
    """A metro download loaded into a copy of the snapshot warehouse: NY columns fill in."""
    copy = warehouse_copy
    rows = [list(r) for r in ROWS]
    got = download(metro_zip({"MSA_M2013_dl.xlsx": workbook(rows)}), year=2013)
    # A second year inside the claim's window (claim year minus 20 to the latest), so the New
    # York specification has a change to report.
    later = [list(r) for r in ROWS]
    later[1][6] = 42.5
    got_later = download(metro_zip({"MSA_M2024_dl.xlsx": workbook(later)}), year=2024)
    con = duckdb.connect(str(copy))
    try:
        warehouse.load_download(con, got, parse(got), "test-run", None)
        warehouse.load_download(con, got_later, parse(got_later), "test-run", None)
        ingest.record_availability(con, load_catalog(), {})
        transform.run(con)
        row = con.execute(
            "SELECT barber_wage_ny_mean, hours_ny_mean, tv_price FROM marts.barber_tv_hours "
            "WHERE year = 2013"
        ).fetchall()[0]
        assert row[0] == 21.25 and row[1] == pytest.approx(row[2] / 21.25)
        available = con.execute(
            "SELECT available FROM meta.availability WHERE series_id = 'OEWS_NY_METRO'"
        ).fetchall()[0][0]
        assert available is True
        detail = con.execute(
            "SELECT detail FROM marts.claims_c2 WHERE metric_id = 'c2_wage_part' "
            "AND choice = 'national vs New York metro'"
        ).fetchall()[0][0]
        assert "New York metro mean went from $" in detail
    finally:
        con.close()


def test_snapshot_run_says_new_york_is_not_held(warehouse_ro):
    # Without the live files, a snapshot run says why New York is missing.
    reason = warehouse_ro.execute(
        "SELECT available, reason FROM meta.availability WHERE series_id = 'OEWS_NY_METRO'"
    ).fetchall()[0]
    assert reason[0] is False and "not in the snapshot" in reason[1]
    assert oews_metro.is_metro(ENTRY) and oews_metro.area_of(ENTRY) == "35620"
