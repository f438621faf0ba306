"""OEWS national workbooks: the real snapshot files, hand-made broken ones, and the live fetch."""

from __future__ import annotations

import io
import warnings
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from decoupling.catalog import load_catalog
from decoupling.settings import Settings
from decoupling.sources import oews, snapshot
from decoupling.sources.base import Download, SourceError, parse
from decoupling.sources.http import HttpClient, RetryPolicy

SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "fred-snapshot"
RAW = SNAPSHOT / "raw" / "oews"
UA = "decoupling-tests/0.1 (tests@example.org)"
ENTRY = next(e for e in load_catalog() if e.id == "OEWS_NATIONAL")

needs_snapshot = pytest.mark.skipif(
    not RAW.is_dir(), reason=f"OEWS snapshot workbooks not found at {RAW} (../shared/fred-snapshot)"
)


def workbook_path(year: int) -> Path:
    return next(RAW.glob(f"national_M{year}_dl.xls*"))


@pytest.fixture(scope="module")
def parsed():
    """Parse each snapshot year at most once per module."""
    cache: dict[int, pd.DataFrame] = {}

    def get(year: int) -> pd.DataFrame:
        if year not in cache:
            stamp = datetime(2026, 1, 1, tzinfo=UTC)
            cache[year] = parse(oews.snapshot_download(workbook_path(year), ENTRY, stamp))
        return cache[year]

    return get


def published(year: int) -> pd.DataFrame:
    """The workbook read independently with pandas: every cell as text, upper-case headers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecates its xlrd engine
        table = pd.read_excel(workbook_path(year), dtype=str)
    table.columns = [c.upper() for c in table.columns]
    return table.apply(lambda col: col.str.strip())


def value(frame: pd.DataFrame, series_id: str) -> float:
    rows = frame[frame["series_id"] == series_id]
    assert len(rows) == 1, f"{series_id}: {len(rows)} rows"
    return float(rows["value"].iloc[0])


# --- the real snapshot workbooks --------------------------------------------------------------


@needs_snapshot
@pytest.mark.parametrize("year", [2008, 2023])
def test_barbers_mean_hourly_wage_matches_the_workbook(parsed, year):
    table = published(year)
    expected = float(table.loc[table["OCC_CODE"] == "39-5011", "H_MEAN"].iloc[0])
    frame = parsed(year)
    assert value(frame, "OEWS_395011_H_MEAN") == pytest.approx(expected)
    barbers = frame[frame["series_id"] == "OEWS_395011_H_MEAN"]
    assert barbers["date"].iloc[0] == pd.Timestamp(year, 1, 1)
    assert barbers["label"].iloc[0].startswith("Barbers (SOC 39-5011)")


@needs_snapshot
@pytest.mark.parametrize("year", [2008, 2023])
def test_barbers_agree_with_the_derived_csv(parsed, year):
    derived = pd.read_csv(SNAPSHOT / "oews" / "OEWS_395011_H_MEAN.csv", index_col=0)
    expected = derived.loc[f"{year}-01-01", "OEWS_395011_H_MEAN"]
    assert value(parsed(year), "OEWS_395011_H_MEAN") == pytest.approx(expected)


@needs_snapshot
def test_every_derived_oews_csv_matches_every_year(parsed):
    csvs = sorted((SNAPSHOT / "oews").glob("OEWS_*.csv"))
    assert csvs
    for path in csvs:
        derived = pd.read_csv(path, parse_dates=["observation_date"]).dropna()
        sid = derived.columns[1]
        for when, expected in zip(derived["observation_date"], derived[sid], strict=True):
            got = value(parsed(when.year), sid)
            assert got == pytest.approx(expected), f"{sid} {when.year}"


@needs_snapshot
def test_snapshot_fetch_gives_one_download_per_workbook():
    downloads = snapshot.fetch(ENTRY, (SNAPSHOT,))
    years = [2008] + list(range(2013, 2025))
    assert [d.part for d in downloads] == [f"M{y}" for y in years]
    first, last = downloads[0], downloads[-1]
    assert (first.fmt, first.extension) == ("oews_xls", "xls")
    assert (last.fmt, last.extension) == ("oews_xlsx", "xlsx")
    assert last.source == "snapshot" and last.series_id == "OEWS_NATIONAL"
    assert last.key == "OEWS_NATIONAL--M2024"
    assert last.url == workbook_path(2024).resolve().as_uri()
    assert last.vintage == "OEWS May 2024 (snapshot)"
    assert last.license == ENTRY.license


@needs_snapshot
def test_top_coded_median_is_missing_and_flagged(parsed):
    table = published(2023)
    capped = table[table["H_MEDIAN"] == "#"]
    assert not capped.empty, "expected a top-coded median (physicians) in May 2023"
    soc = capped["OCC_CODE"].iloc[0]  # e.g. 29-1211 anesthesiologists
    frame = parsed(2023)
    sid = oews.series_id(soc, "H_MEDIAN")
    assert pd.isna(value(frame, sid))
    assert value(frame, sid + "_TOPCODED") == 1.0
    # Every '#' of the file has its flag, and no flag without a '#'.
    flags = frame[frame["series_id"].str.endswith("H_MEDIAN_TOPCODED")]
    assert set(flags["series_id"]) == {
        oews.series_id(c, "H_MEDIAN_TOPCODED") for c in capped["OCC_CODE"]
    }


@needs_snapshot
def test_suppressed_values_are_missing(parsed):
    table = published(2023)
    star = table[table["H_MEAN"] == "*"]["OCC_CODE"].iloc[0]  # annual-only (e.g. teachers)
    assert pd.isna(value(parsed(2023), oews.series_id(star, "H_MEAN")))
    table = published(2020)
    double = table[table["TOT_EMP"] == "**"]["OCC_CODE"].iloc[0]
    assert pd.isna(value(parsed(2020), oews.series_id(double, "TOT_EMP")))


@needs_snapshot
@pytest.mark.parametrize("year", [2008, 2019])
def test_one_value_per_occupation_and_measure(parsed, year):
    # 2019 lists 13 codes twice (broad group = its one detailed occupation).
    frame = parsed(year)
    assert not frame.duplicated(["series_id", "date"]).any()
    assert frame["date"].nunique() == 1
    codes = published(year)["OCC_CODE"].nunique()
    assert (frame["series_id"].str.endswith("_TOT_EMP")).sum() == codes


@needs_snapshot
def test_c2_occupations_are_found_in_every_year(parsed):
    frames = pd.concat([parsed(2008), parsed(2018), parsed(2019)])
    for soc in oews.C2_OCCUPATIONS:
        found = oews.find_occupation(frames, soc, "H_MEAN")
        assert list(found["date"].dt.year) == [2008, 2018, 2019]


# --- hand-made workbooks ----------------------------------------------------------------------

HEADER = ["OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "A_MEAN", "H_MEDIAN", "A_MEDIAN"]
ROWS = [
    ["00-0000", "All Occupations", "total", 1000, 30.5, 63440, 22.0, 45760],
    ["29-1211", "Anesthesiologists", "detailed", 30, 160.0, "332,800", "#", "#"],
    ["25-2021", "Elementary School Teachers", "detailed", "1,400", "*", 60000, "*", 58000],
    ["39-5011", "Barbers", "detailed", "**", 20.0, 41600, 17.5, 36400],
]


def make_workbook(
    header=HEADER, rows=ROWS, sheet: str = "national_M2030_dl", field_year: int | None = 2030
) -> bytes:
    book = openpyxl.Workbook()
    data = book.active
    data.title = sheet
    data.append(header)
    for row in rows:
        data.append(row)
    if field_year:
        book.create_sheet("Field Descriptions").append([f"May {field_year} OEWS Estimates"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: bytes, fmt: str = "oews_xlsx", part: str | None = "M2030") -> Download:
    return Download(
        source="oews",
        series_id="OEWS_NATIONAL",
        url="file:///x",
        body=body,
        fmt=fmt,
        license="PD",
        part=part,
    )


def test_hand_made_workbook_markers_and_commas():
    frame = parse(download(make_workbook()))
    assert value(frame, "OEWS_291211_A_MEAN") == 332800.0
    assert pd.isna(value(frame, "OEWS_291211_H_MEDIAN"))
    assert value(frame, "OEWS_291211_H_MEDIAN_TOPCODED") == 1.0
    assert value(frame, "OEWS_291211_A_MEDIAN_TOPCODED") == 1.0
    assert value(frame, "OEWS_252021_TOT_EMP") == 1400.0
    assert pd.isna(value(frame, "OEWS_252021_H_MEAN"))
    assert "OEWS_252021_H_MEAN_TOPCODED" not in set(frame["series_id"])
    assert pd.isna(value(frame, "OEWS_395011_TOT_EMP"))
    assert value(frame, "OEWS_395011_H_MEAN") == 20.0
    assert set(frame["date"]) == {pd.Timestamp(2030, 1, 1)}
    assert list(frame.columns) == ["series_id", "date", "value", "label"]


def test_without_a_part_the_year_comes_from_the_workbook():
    frame = parse(download(make_workbook(sheet="national_dl", field_year=2031), part=None))
    assert set(frame["date"]) == {pd.Timestamp(2031, 1, 1)}
    with pytest.raises(SourceError, match="does not state its year"):
        parse(download(make_workbook(sheet="national_dl", field_year=None), part=None))


def test_the_part_year_and_the_workbook_must_agree():
    with pytest.raises(SourceError, match=r"national_M2029_dl\.xlsx.*says May 2030"):
        parse(download(make_workbook(), part="M2029"))


def test_a_landing_with_the_year_in_its_format_name_still_parses():
    # Raw landings written before parsers took the whole download name the year in `fmt`.
    frame = parse(download(make_workbook(), fmt="oews_xlsx_M2030"))
    assert set(frame["date"]) == {pd.Timestamp(2030, 1, 1)}
    assert value(frame, "OEWS_395011_H_MEAN") == 20.0


@pytest.mark.parametrize("column", ["H_MEAN", "OCC_CODE"])
def test_missing_column_names_file_part_and_column(column):
    at = HEADER.index(column)
    header = HEADER[:at] + HEADER[at + 1 :]
    rows = [r[:at] + r[at + 1 :] for r in ROWS]
    with pytest.raises(SourceError) as error:
        parse(download(make_workbook(header, rows)))
    message = str(error.value)
    assert "national_M2030_dl.xlsx" in message and "M2030" in message and column in message
    assert message.startswith("oews: series OEWS_NATIONAL:")


def test_wrong_sheet_names_file_and_column():
    book = openpyxl.Workbook()
    book.active.title = "Field Descriptions"
    book.active.append(["May 2030 OEWS Estimates"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SourceError, match=r"national_M2030_dl\.xlsx \(part M2030\).*OCC_CODE"):
        parse(download(out.getvalue()))


def test_bad_number_names_file_column_and_value():
    rows = [list(r) for r in ROWS]
    rows[3][HEADER.index("H_MEAN")] = "abc"
    with pytest.raises(SourceError) as error:
        parse(download(make_workbook(rows=rows)))
    message = str(error.value)
    for part in ("national_M2030_dl.xlsx", "M2030", "H_MEAN", "39-5011", "'abc'"):
        assert part in message


def test_not_a_workbook():
    with pytest.raises(SourceError, match=r"national_M2030_dl\.xls .*not a readable xls"):
        parse(download(b"<html>not found</html>", fmt="oews_xls"))


# --- live fetch against a local server --------------------------------------------------------


def settings_for(base_url: str) -> Settings:
    return Settings(
        warehouse=Path("w.duckdb"),
        raw_dir=Path("raw"),
        output_dir=Path("out"),
        bls_base_url=base_url,
        user_agent=UA,
        http_timeout=5.0,
    )


def fast_client() -> HttpClient:
    """The shared client without back-off waits or rate limit (error-path tests)."""
    retry = RetryPolicy(max_attempts=2, base_delay=0, unreachable_attempts=1, unreachable_delay=0)
    return HttpClient("oews", user_agent=UA, timeout=5.0, rate_per_s=None, retry=retry)


def zipped(year: int, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"oesm{year % 100:02d}nat/field_descriptions.xlsx", b"not this one")
        archive.writestr(f"oesm{year % 100:02d}nat/national_M{year}_dl.xlsx", body)
    return out.getvalue()


def test_fetch_extracts_the_workbook_and_skips_a_404_year(httpserver):
    body = make_workbook()
    httpserver.expect_request(
        "/oes/special-requests/oesm30nat.zip", headers={"User-Agent": UA}
    ).respond_with_data(zipped(2030, body), content_type="application/zip")
    httpserver.expect_request("/oes/special-requests/oesm29nat.zip").respond_with_data(
        "not found", status=404
    )
    base = httpserver.url_for("/").rstrip("/")
    downloads = oews.fetch(ENTRY, settings_for(base), years=[2029, 2030])
    assert len(downloads) == 1
    got = downloads[0]
    assert got.url == f"{base}/oes/special-requests/oesm30nat.zip"
    assert (got.part, got.fmt, got.extension, got.source) == (
        "M2030",
        "oews_xlsx",
        "xlsx",
        "oews",
    )
    assert got.body == body  # the workbook as published, not the zip
    assert got.vintage.startswith("OEWS May 2030")
    assert value(parse(got), "OEWS_395011_H_MEAN") == 20.0
    paths = [request.path for request, _ in httpserver.log]
    assert paths == ["/oes/special-requests/oesm29nat.zip", "/oes/special-requests/oesm30nat.zip"]
    assert all(request.headers["User-Agent"] == UA for request, _ in httpserver.log)


def test_fetch_raises_on_server_error_and_on_a_zip_without_workbook(httpserver):
    httpserver.expect_request("/oes/special-requests/oesm30nat.zip").respond_with_data(
        "busy", status=503
    )
    base = httpserver.url_for("/").rstrip("/")
    with pytest.raises(SourceError, match=r"gave up after 2 attempts: HTTP 503.*oesm30nat\.zip"):
        oews.fetch(ENTRY, settings_for(base), years=[2030], http=fast_client())
    httpserver.clear()
    httpserver.expect_request("/oes/special-requests/oesm31nat.zip").respond_with_data(
        zipped(2030, b"x"), content_type="application/zip"
    )
    with pytest.raises(SourceError, match="no national_M2031_dl.xlsx"):
        oews.fetch(ENTRY, settings_for(base), years=[2031], http=fast_client())


def test_zip_url_keeps_the_path_under_the_base():
    assert oews.zip_url(2008, settings_for("http://127.0.0.1:9/mirror/")) == (
        "http://127.0.0.1:9/mirror/oes/special-requests/oesm08nat.zip"
    )
    assert oews.zip_url(2024, settings_for(None)) == (
        "https://www.bls.gov/oes/special-requests/oesm24nat.zip"
    )
