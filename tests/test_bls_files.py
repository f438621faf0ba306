"""BLS workbooks: total-economy hours and employment, R-CPI-U-RS; parsers and the live fetch."""

from __future__ import annotations

import dataclasses
import io
import socket
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from decoupling.catalog import load_catalog
from decoupling.settings import Settings
from decoupling.sources import bls_files
from decoupling.sources.base import Download, SourceError, SourceUnreachable, parse
from decoupling.sources.http import HttpClient, RetryPolicy

SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "fred-snapshot"
TE_XLSX = SNAPSHOT / "raw" / "bls_total_economy" / "total-economy-hours-employment.xlsx"
UA = "decoupling-tests/0.1 (tests@example.org)"
CATALOG = {e.id: e for e in load_catalog()}
HOURS, EMPLOYMENT = "TOTAL_ECONOMY_HOURS_ALL_WORKERS", "TOTAL_ECONOMY_EMPLOYMENT_ALL_WORKERS"
PROPRIETORS = "TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS"
UNPAID = "TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS"
FARM = "TOTAL_ECONOMY_HOURS_FARM"
# The file's components that are not employees, as the workbook names them (Basis, Component).
COMPONENTS = {
    PROPRIETORS: ("Proprietors", "Nonfarm business: non-employees: proprietors"),
    UNPAID: ("Unpaid family workers", "Nonfarm business: non-employees: unpaid family workers"),
    FARM: ("All workers", "Farm"),
}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]

needs_snapshot = pytest.mark.skipif(
    not TE_XLSX.is_file(), reason=f"total-economy workbook not found at {TE_XLSX} (../shared)"
)


def download(body: bytes, fmt: str, series_id: str) -> Download:
    return Download(
        source="bls_file", series_id=series_id, url="file:///x", body=body, fmt=fmt, license="PD"
    )


def saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- total-economy hours and employment -------------------------------------------------------


@pytest.fixture(scope="module")
def te_body() -> bytes:
    if not TE_XLSX.is_file():
        pytest.skip(f"total-economy workbook not found at {TE_XLSX} (../shared)")
    return TE_XLSX.read_bytes()


@pytest.fixture(scope="module")
def te_parsed(te_body) -> pd.DataFrame:
    return parse(download(te_body, "te_hours_xlsx", HOURS))


def assert_matches_derived_csv(frame: pd.DataFrame, series_id: str) -> None:
    derived = pd.read_csv(SNAPSHOT / f"{series_id}.csv", parse_dates=["observation_date"])
    got = frame[frame["series_id"] == series_id].set_index("date")["value"]
    expected = derived.set_index("observation_date")[series_id]
    assert list(got.index) == list(expected.index)  # every quarter, 1948Q1..2025Q3
    assert (got - expected).abs().max() < 5e-4


@needs_snapshot
@pytest.mark.parametrize("series_id", [HOURS, EMPLOYMENT])
def test_te_hours_equals_the_derived_csv_every_quarter(te_parsed, series_id):
    assert_matches_derived_csv(te_parsed, series_id)


@needs_snapshot
def test_te_hours_gives_every_series_quarterly(te_parsed):
    assert set(te_parsed["series_id"]) == {HOURS, EMPLOYMENT, *COMPONENTS}
    assert set(te_parsed["date"].dt.month) == {1, 4, 7, 10}
    assert set(te_parsed["date"].dt.day) == {1}
    # 1947 totals are N.A. in the file: no leading missing quarters.
    totals = te_parsed[te_parsed["series_id"].isin([HOURS, EMPLOYMENT])]
    assert totals["date"].min() == pd.Timestamp(1948, 1, 1)
    assert not te_parsed["value"].isna().any()


@needs_snapshot
def test_te_components_are_the_workbook_rows(te_parsed):
    """Each component equals its MachineReadable row, read here with pandas (not the parser)."""
    sheet = pd.read_excel(TE_XLSX, sheet_name="MachineReadable", engine="calamine")
    for series_id, (basis, component) in COMPONENTS.items():
        rows = sheet[
            (sheet["Basis"] == basis)
            & (sheet["Component"] == component)
            & (sheet["Measure"] == "Hours worked")
        ]
        expected = pd.Series(
            pd.to_numeric(rows["Value"]).to_numpy(),
            index=[
                pd.Timestamp(int(y), 3 * int(q) - 2, 1)
                for y, q in zip(rows.Year, rows.Qtr, strict=True)
            ],
        )
        got = te_parsed[te_parsed["series_id"] == series_id].set_index("date")["value"]
        assert list(got.index) == list(expected.index), series_id
        assert (got - expected).abs().max() == 0, series_id


@needs_snapshot
def test_te_snapshot_download_states_the_workbooks_release():
    from datetime import UTC, datetime

    from decoupling.sources.snapshot import fetch

    (got,) = fetch(CATALOG[FARM], (SNAPSHOT,))
    assert (got.fmt, got.source, got.series_id) == ("te_hours_xlsx", "snapshot", FARM)
    # The workbook's title row: "Data released January 8, 2026".
    assert "released 2026-01-08" in got.vintage
    assert got.accessed_at <= datetime.now(UTC)
    assert set(parse(got)["series_id"]) == {HOURS, EMPLOYMENT, *COMPONENTS}


@needs_snapshot
def test_te_snapshot_release_is_read_once_and_only_when_asked(monkeypatch):
    # An unchanged refresh needs checksums only; a changed one reads the release (every sheet)
    # once for the entries that share the workbook.
    from decoupling.sources.base import reading_once
    from decoupling.sources.snapshot import fetch

    reads = []
    release = bls_files.te_release
    monkeypatch.setattr(bls_files, "te_release", lambda body: reads.append(1) or release(body))
    with reading_once():
        got = [fetch(CATALOG[sid], (SNAPSHOT,))[0] for sid in COMPONENTS]
    assert len({d.sha256 for d in got}) == 1 and reads == []
    assert all("released 2026-01-08" in d.vintage for d in got)
    assert reads == [1]


@needs_snapshot
def test_te_hours_reads_the_quarterly_sheet_when_machine_readable_is_gone(te_body, te_parsed):
    book = openpyxl.load_workbook(io.BytesIO(te_body))
    del book["MachineReadable"]
    frame = parse(download(saved(book), "te_hours_xlsx", EMPLOYMENT))
    for series_id in (HOURS, EMPLOYMENT):
        assert_matches_derived_csv(frame, series_id)
    # The components too, identical to the MachineReadable sheet's.
    pd.testing.assert_frame_equal(
        frame.sort_values(["series_id", "date"]).reset_index(drop=True),
        te_parsed.sort_values(["series_id", "date"]).reset_index(drop=True),
    )


TE_HEADER = ["Sector", "Basis", "Component", "Measure", "Units", "Year", "Qtr", "Value"]


def te_workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "MachineReadable"
    sheet.append(TE_HEADER)
    for row in rows:
        sheet.append(row)
    return saved(book)


def te_row(measure: str, units: str, year: int, qtr: int, value) -> list:
    return ["Total economy", "All workers", "Total U.S. economy", measure, units, year, qtr, value]


SMALL_TE = [
    te_row("Hours worked", "Billions of hours", 2030, 1, "N.A."),
    te_row("Hours worked", "Billions of hours", 2030, 2, 300.5),
    te_row("Hours worked", "Billions of hours", 2030, 3, 301.25),
    ["Total economy", "All workers", "Farm", "Hours worked", "Billions of hours", 2030, 2, 9.0],
    te_row("Employment", "Millions of jobs", 2030, 2, 175.0),
    te_row("Employment", "Millions of jobs", 2030, 3, 175.5),
]


def test_te_hours_small_workbook():
    frame = parse(download(te_workbook(SMALL_TE), "te_hours_xlsx", HOURS))
    hours = frame[frame["series_id"] == HOURS]
    assert list(hours["date"]) == [pd.Timestamp(2030, 4, 1), pd.Timestamp(2030, 7, 1)]
    assert list(hours["value"]) == [300.5, 301.25]  # not the farm row
    assert list(frame[frame["series_id"] == EMPLOYMENT]["value"]) == [175.0, 175.5]
    # The farm row is a component of its own; absent components are left out, not invented.
    assert list(frame[frame["series_id"] == FARM]["value"]) == [9.0]
    assert set(frame["series_id"]) == {HOURS, EMPLOYMENT, FARM}


def test_te_component_entry_needs_its_own_rows():
    with pytest.raises(SourceError, match=f"no rows for {PROPRIETORS}"):
        parse(download(te_workbook(SMALL_TE), "te_hours_xlsx", PROPRIETORS))
    rows = [
        *SMALL_TE,
        ["Total economy", "Proprietors", COMPONENTS[PROPRIETORS][1], "Hours worked",
         "Millions of hours", 2030, 2, 20.0],
    ]  # fmt: skip
    with pytest.raises(SourceError, match="row 8: units 'millions of hours'"):
        parse(download(te_workbook(rows), "te_hours_xlsx", HOURS))


def test_te_hours_refuses_changed_units_and_bad_values():
    rows = [*SMALL_TE, te_row("Hours worked", "Millions of hours", 2030, 4, 1.0)]
    with pytest.raises(SourceError, match="units 'millions of hours'"):
        parse(download(te_workbook(rows), "te_hours_xlsx", HOURS))
    rows = [*SMALL_TE, te_row("Employment", "Millions of jobs", 2030, 4, "abc")]
    with pytest.raises(SourceError, match="MachineReadable row 8: 'abc' is not a number"):
        parse(download(te_workbook(rows), "te_hours_xlsx", HOURS))
    with pytest.raises(SourceError, match=f"no rows for {EMPLOYMENT}"):
        parse(download(te_workbook(SMALL_TE[:3]), "te_hours_xlsx", HOURS))
    book = openpyxl.Workbook()
    book.active.title = "ReadMe"
    with pytest.raises(SourceError, match="no sheet MachineReadable or Quarterly"):
        parse(download(saved(book), "te_hours_xlsx", HOURS))


# --- R-CPI-U-RS -------------------------------------------------------------------------------


def cpi_workbook(table: dict[int, list], notes: bool = True) -> bytes:
    """The published layout: title rows, YEAR JAN..DEC AVG, one row a year, footnotes below."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "All items"
    sheet.append(["Consumer Price Index Research Series Using Current Methods (R-CPI-U-RS)"])
    sheet.append(["All items"])
    sheet.append(["December 1977 = 100"])
    sheet.append([])
    sheet.append([])
    sheet.append(["YEAR", *MONTHS, "AVG"])
    for year, values in table.items():
        known = [v for v in values if isinstance(v, float)]
        sheet.append(
            [year, *values, round(sum(known) / len(known), 1) if len(known) == 12 else None]
        )
    if notes:
        sheet.append([])
        sheet.append(["Note: October 2025 was not published (lapse in appropriations)."])
    return saved(book)


HAND_MADE = {
    1977: [None] * 11 + [100.0],
    1978: [100.5, 101.1, 101.8, 102.7, 103.5, 104.4, 105.0, 105.7, 106.3, 107.0, 107.5, 107.8],
    2030: [500.0, 501.0, 502.0, 503.0, 504.0, 505.0, 506.0, 507.0, 508.0, "-", 510.0, None],
}


def test_cpi_u_rs_hand_made_layout():
    frame = parse(download(cpi_workbook(HAND_MADE), "cpi_u_rs_xlsx", "CPI_U_RS"))
    series = frame.set_index("date")["value"]
    assert series.index[0] == pd.Timestamp(1977, 12, 1)  # leading blanks of 1977 dropped
    assert series[pd.Timestamp(1977, 12, 1)] == 100.0
    assert series[pd.Timestamp(1978, 6, 1)] == 104.4
    assert pd.isna(series[pd.Timestamp(2030, 10, 1)])  # '-' inside the series stays missing
    assert series.index[-1] == pd.Timestamp(2030, 11, 1)  # trailing blank December dropped
    assert len(series) == 1 + 12 + 11
    assert set(frame["series_id"]) == {"CPI_U_RS"}
    assert series.index.is_monotonic_increasing


def test_cpi_u_rs_round_trips_the_snapshot_values():
    path = SNAPSHOT / "CPI_U_RS.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found (../shared/fred-snapshot)")
    derived = pd.read_csv(path, parse_dates=["observation_date"])
    table: dict[int, list] = {}
    for when, level in zip(derived["observation_date"], derived["CPI_U_RS"], strict=True):
        table.setdefault(when.year, [None] * 12)[when.month - 1] = (
            "-" if pd.isna(level) else float(level)
        )
    frame = parse(download(cpi_workbook(table), "cpi_u_rs_xlsx", "CPI_U_RS"))
    got = frame.set_index("date")["value"]
    expected = derived.set_index("observation_date")["CPI_U_RS"]
    assert list(got.index) == list(expected.index)
    assert ((got - expected).abs().fillna(0) < 1e-9).all()
    assert got.isna().sum() == expected.isna().sum() == 1  # October 2025


def test_cpi_u_rs_errors_name_the_cell():
    bad = dict(HAND_MADE)
    bad[1978] = [*HAND_MADE[1978][:4], "abc", *HAND_MADE[1978][5:]]
    with pytest.raises(SourceError, match=r"CPI_U_RS: sheet 'All items' row 8 MAY: 'abc'"):
        parse(download(cpi_workbook(bad), "cpi_u_rs_xlsx", "CPI_U_RS"))
    book = openpyxl.Workbook()
    book.active.append(["YEAR", "JAN", "FEB"])
    with pytest.raises(SourceError, match="no sheet with a header row YEAR, JAN..DEC"):
        parse(download(saved(book), "cpi_u_rs_xlsx", "CPI_U_RS"))


# --- live fetch against a local server --------------------------------------------------------


def settings_for(base_url: str | None) -> Settings:
    return Settings(
        warehouse=Path("w.duckdb"),
        raw_dir=Path("raw"),
        output_dir=Path("out"),
        bls_base_url=base_url,
        user_agent=UA,
        http_timeout=5.0,
    )


def test_fetch_te_hours_sends_user_agent_to_the_base_url(httpserver):
    body = te_workbook(SMALL_TE)
    path = "/productivity/tables/total-economy-hours-employment.xlsx"
    httpserver.expect_request(path, headers={"User-Agent": UA}).respond_with_data(
        body, headers={"Last-Modified": "Thu, 08 Jan 2026 13:30:00 GMT"}
    )
    base = httpserver.url_for("/").rstrip("/")
    (got,) = bls_files.fetch(CATALOG[EMPLOYMENT], settings_for(base))
    assert got.url == base + path
    assert (got.fmt, got.extension, got.source, got.series_id) == (
        "te_hours_xlsx",
        "xlsx",
        "bls_file",
        EMPLOYMENT,
    )
    assert got.body == body
    assert got.vintage == "Last-Modified Thu, 08 Jan 2026 13:30:00 GMT"
    assert set(parse(got)["series_id"]) == {HOURS, EMPLOYMENT, FARM}
    (request, _), *_ = httpserver.log
    assert request.path == path and request.headers["User-Agent"] == UA


def test_a_live_refresh_downloads_the_te_workbook_once_for_its_five_series(httpserver):
    from decoupling import ingest

    body = te_workbook(SMALL_TE)
    path = "/productivity/tables/total-economy-hours-employment.xlsx"
    httpserver.expect_request(path).respond_with_data(body)
    entries = [CATALOG[sid] for sid in (HOURS, EMPLOYMENT, *COMPONENTS)]
    fetched = ingest.fetch_all(entries, settings_for(httpserver.url_for("/").rstrip("/")))
    assert len(httpserver.log) == 1
    # Each series still has its own download (its series key in meta.downloads).
    assert [d.series_id for d in fetched.downloads] == [e.id for e in entries]
    assert {(d.body, d.url, d.accessed_at, d.fmt) for d in fetched.downloads} == {
        (body, httpserver.url_for(path), fetched.downloads[0].accessed_at, "te_hours_xlsx")
    }


def test_a_failed_te_workbook_fails_its_five_series_with_one_request(httpserver):
    from decoupling import ingest

    te_path = "/productivity/tables/total-economy-hours-employment.xlsx"
    cpi_path = "/cpi/research-series/r-cpi-u-rs-allitems.xlsx"
    httpserver.expect_request(te_path).respond_with_data("gone", status=404)
    httpserver.expect_request(cpi_path).respond_with_data(cpi_workbook(HAND_MADE))
    entries = [CATALOG[sid] for sid in (HOURS, EMPLOYMENT, "CPI_U_RS", *COMPONENTS)]
    fetched = ingest.fetch_all(entries, settings_for(httpserver.url_for("/").rstrip("/")))
    # The first series' 404 (a gap) is every series' of that file, not asked again; another
    # file of the same source is still fetched.
    assert [request.path for request, _ in httpserver.log] == [te_path, cpi_path]
    assert [d.series_id for d in fetched.downloads] == ["CPI_U_RS"]
    te_ids = [HOURS, EMPLOYMENT, *COMPONENTS]
    assert sorted(fetched.unavailable) == sorted(te_ids)
    assert len({fetched.unavailable[sid] for sid in te_ids}) == 1
    assert "404" in fetched.unavailable[HOURS]


@needs_snapshot
def test_a_snapshot_run_gives_each_te_series_its_own_read():
    from decoupling import ingest
    from decoupling.sources import shared_file

    entries = [CATALOG[sid] for sid in (HOURS, EMPLOYMENT, *COMPONENTS)]
    # Live, the five share one fetch; from a snapshot each entry reads its own file.
    assert len({shared_file(e, live=True) for e in entries}) == 1
    assert {shared_file(e, live=False) for e in entries} == {None}
    settings = dataclasses.replace(settings_for(None), snapshots=(SNAPSHOT,))
    fetched = ingest.fetch_all(entries, settings)
    assert not fetched.unavailable
    assert [d.series_id for d in fetched.downloads] == [e.id for e in entries]


def test_fetch_cpi_u_rs(httpserver):
    body = cpi_workbook(HAND_MADE)
    path = "/cpi/research-series/r-cpi-u-rs-allitems.xlsx"
    httpserver.expect_request(path, headers={"User-Agent": UA}).respond_with_data(body)
    base = httpserver.url_for("/").rstrip("/")
    (got,) = bls_files.fetch(CATALOG["CPI_U_RS"], settings_for(base))
    assert (got.url, got.fmt, got.body) == (base + path, "cpi_u_rs_xlsx", body)
    assert len(parse(got)) == 24


def fast_client() -> HttpClient:
    """The shared client without back-off waits or rate limit (error-path tests)."""
    retry = RetryPolicy(max_attempts=2, base_delay=0, unreachable_attempts=1, unreachable_delay=0)
    return HttpClient("bls_file", user_agent=UA, timeout=5.0, rate_per_s=None, retry=retry)


def test_fetch_errors(httpserver):
    path = "/cpi/research-series/r-cpi-u-rs-allitems.xlsx"
    httpserver.expect_request(path).respond_with_data("Access Denied", status=403)
    base = httpserver.url_for("/").rstrip("/")
    with pytest.raises(SourceError, match="HTTP 403.*DECOUPLING_CONTACT"):
        bls_files.fetch(CATALOG["CPI_U_RS"], settings_for(base), http=fast_client())
    httpserver.clear()
    httpserver.expect_request(path).respond_with_data("<html>moved</html>")
    with pytest.raises(SourceError, match="HTML page instead of data"):
        bls_files.fetch(CATALOG["CPI_U_RS"], settings_for(base), http=fast_client())
    entry = dataclasses.replace(CATALOG["CPI_U_RS"], live_id="nope")
    with pytest.raises(SourceError, match="unknown live_id 'nope'"):
        bls_files.fetch(entry, settings_for(base))


def test_fetch_unreachable():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceUnreachable, match="cannot reach"):
        bls_files.fetch(CATALOG[HOURS], settings_for(f"http://127.0.0.1:{port}"), fast_client())


def test_file_urls_default_to_bls():
    assert bls_files.file_url("r-cpi-u-rs", settings_for(None)) == (
        "https://www.bls.gov/cpi/research-series/r-cpi-u-rs-allitems.xlsx"
    )
