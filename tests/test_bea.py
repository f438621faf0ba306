"""BEA NIPA source: the real Section 1 workbook of Aug 29, 2024, small hand-made workbooks for
the errors, and a local HTTP server for the API and download paths (never the internet)."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from decoupling.catalog import load_catalog
from decoupling.sources import bea
from decoupling.sources.base import SourceError, parse

SNAPSHOT = Path(__file__).resolve().parents[1] / ".." / "shared" / "fred-snapshot"
WORKBOOK = SNAPSHOT / "raw" / "bea_nipa" / "Section1All_xls_2024-08-29.xlsx"
KEY = "ABCDEF12-3456-7890-ABCD-EF1234567890"  # a made-up key, shaped like BEA's 36 characters


# --- the real workbook ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_bytes() -> bytes:
    if not WORKBOOK.is_file():
        pytest.skip(f"the BEA Section 1 workbook is not at {WORKBOOK} (the shared snapshot)")
    return WORKBOOK.read_bytes()


@pytest.fixture(scope="module")
def real(real_bytes) -> bea.SectionWorkbook:
    return bea.SectionWorkbook(real_bytes, WORKBOOK.name)


def independent_row(sheet: str, code: str) -> tuple[int, pd.Series]:
    """(line, values by period start) of the first row holding `code`, read by pandas."""
    raw = pd.read_excel(WORKBOOK, sheet_name=sheet, engine="calamine", header=None, dtype=object)
    header = raw[raw[0] == "Line"].index[0]
    row = raw[raw[2] == code].iloc[0]
    labels = raw.loc[header, 3:]
    freq = "Q" if sheet.endswith("-Q") else "Y"
    periods = pd.DatetimeIndex(
        [pd.Period(str(label), freq=freq).start_time for label in labels]
    ).astype("datetime64[ns]")
    values = pd.to_numeric(pd.Series(row[3:].values, index=periods), errors="coerce")
    values = values.astype("float64")
    return int(row[0]), values.dropna()


def one(data: bea.NipaData, series_id: str) -> pd.Series:
    obs = data.observations[data.observations["series_id"] == series_id]
    return obs.set_index("date")["value"]


def test_ndp_price_index_is_quarterly_1947q1_to_2024q2_and_matches_pandas(real):
    data = real.series([("1.7.4", "A362RG")])
    series = one(data, "A362RG")
    expected_dates = pd.period_range("1947Q1", "2024Q2", freq="Q").to_timestamp()
    assert list(series.index) == list(expected_dates)
    assert series.index.is_unique
    assert data.observations.dtypes.to_dict() == {
        "series_id": pd.StringDtype(),
        "date": np.dtype("datetime64[ns]"),
        "value": np.dtype("float64"),
    }
    line, reference = independent_row("T10704-Q", "A362RG")
    for quarter in ("1947Q1", "1979Q4", "2000Q1", "2024Q2"):
        start = pd.Period(quarter).start_time
        assert series[start] == reference[start], quarter
    pd.testing.assert_series_equal(series, reference, check_names=False, check_freq=False)
    meta = data.series["A362RG"]
    # Published reference: NIPA Table 1.7.4, addenda line "Net domestic product" (CLAIMS.md).
    assert (meta.table, meta.frequency, meta.description) == ("T10704", "Q", "Net domestic product")
    assert meta.line == line
    assert meta.units == "Index numbers, 2017=100"
    assert meta.published == date(2024, 8, 29)


def test_release_date_is_the_published_date(real, real_bytes):
    # SOURCES.md: the file says "Data published August 29, 2024" (some sheets keep Sept 29, 2023).
    assert real.release_date == date(2024, 8, 29)
    assert bea.workbook_release_date(real_bytes, "Section1All_xls.xlsx") == date(2024, 8, 29)
    annual = real.series([("T11300", "A445RC")], frequency="A")  # a sheet not updated in 2024
    assert annual.series["A445RC"].published == date(2023, 9, 29)
    assert annual.release_date == date(2024, 8, 29)


def test_a_snapshot_workbook_is_read_for_its_release_only_when_asked(real_bytes, monkeypatch):
    # An unchanged refresh needs the download's checksum only: the release date (every sheet
    # read) waits until the workbook is parsed and loaded, and is then read once.
    entry = next(e for e in load_catalog() if e.source == "bea" and bea.section_of(e) == 1)
    sheets_read: list[str] = []
    rows = bea.SectionWorkbook._rows
    monkeypatch.setattr(
        bea.SectionWorkbook,
        "_rows",
        lambda book, sheet: sheets_read.append(sheet) or rows(book, sheet),
    )
    download = bea.snapshot_download(WORKBOOK, entry, datetime.now(UTC))
    assert download.sha256 and sheets_read == []
    parsed = parse(download)
    assert download.vintage == "BEA NIPA Section 1, data published 2024-08-29 (snapshot)"
    assert len(sheets_read) == len(bea.SectionWorkbook(real_bytes, WORKBOOK.name).sheets) + len(
        {bea.table_of(e) for e in bea._section_entries(1)}
    )
    read_by_now = len(sheets_read)
    assert download.vintage and len(sheets_read) == read_by_now  # kept, not read again
    assert not parsed.empty


def test_a_snapshot_workbook_stating_no_release_fails_its_parse(tmp_path):
    path = tmp_path / "Section1All_xls.xlsx"  # no date in the name either
    path.write_bytes(workbook({"T10704-Q": sheet_rows(published="")}))
    entry = next(e for e in load_catalog() if e.source == "bea" and bea.section_of(e) == 1)
    download = bea.snapshot_download(path, entry, datetime.now(UTC))  # nothing read yet
    with pytest.raises(SourceError) as exc:
        parse(download)  # before the warehouse is touched
    assert "Section1All_xls.xlsx" in single_line(exc)
    assert "release date (data vintage) is unknown" in str(exc.value)


# Table/line as SOURCES.md and CLAIMS.md document them, and the snapshot's own extraction of the
# same file (billions, i.e. BEA's millions / 1000) as an independent value check.
DOCUMENTED = [
    ("T10705", "A362RC", 30, None),  # net domestic product (CLAIMS.md: Table 1.7.5 line 30)
    ("T10705", "A262RC", 5, "nipa_2024-08/COFC.csv"),  # CFC, total
    ("T11400", "B456RC", 18, "nipa_2024-08/B456RC1Q027SBEA.csv"),  # CFC, nonfinancial corporate
    ("T11400", "A463RC", 27, "nipa_2024-08/A463RC1Q027SBEA.csv"),  # nonfin. profits IVA/CCAdj
    ("T11200", "A051RC", 13, "nipa_2024-08/CPROFIT.csv"),  # corporate profits IVA/CCAdj
    ("T11200", "A551RC", 15, "nipa_2024-08/CPATAX.csv"),  # profits after tax IVA/CCAdj
    ("T11200", "B056RC", 16, "nipa_2024-08/DIVIDEND.csv"),  # net dividends
    ("T11200", "A055RC", 45, "nipa_2024-08/CP.csv"),  # profits after tax without IVA/CCAdj
]


def test_documented_series_found_with_their_lines_and_values(real):
    data = real.series([(table, code) for table, code, _, _ in DOCUMENTED])
    for table, code, line, csv in DOCUMENTED:
        meta = data.series[code]
        assert (meta.table, meta.line) == (table, line), code
        if csv is None:
            continue
        reference = pd.read_csv(SNAPSHOT / csv, index_col=0, parse_dates=True).iloc[:, 0]
        ours = one(data, code) / 1000
        assert list(ours.index) == list(reference.index), code
        np.testing.assert_allclose(ours.to_numpy(), reference.to_numpy(), rtol=1e-12, err_msg=code)


def test_corporate_and_private_cfc_found(real):
    data = real.series([("T11400", "A438RC"), ("T10705", "A024RC"), ("T10705", "A264RC")])
    for code, sheet in (("A438RC", "T11400-Q"), ("A024RC", "T10705-Q"), ("A264RC", "T10705-Q")):
        line, reference = independent_row(sheet, code)
        assert data.series[code].line == line
        assert data.series[code].description == "Consumption of fixed capital" or code != "A438RC"
        pd.testing.assert_series_equal(
            one(data, code), reference, check_names=False, check_freq=False
        )
    # Private + government CFC add up to the total (Table 1.7.5 lines 6 + 11 = line 5).
    total = one(real.series([("T10705", "A262RC")]), "A262RC")
    assert np.allclose(one(data, "A024RC") + one(data, "A264RC"), total, atol=1.0)


def test_repeated_codes(real):
    # B058RC is printed on Table 1.14 lines 35 and 39 with the same values: one series, line 35.
    table = real.table("T11400")
    assert "B058RC" in table.series and table.series["B058RC"].line == 35
    assert not any(sid.startswith("B058RC_L") for sid in table.series)
    assert "ZZZZZZ" not in real.table("T10101").series
    # A014RX on Table 1.2.6 lines 3 and 7 differs: the plain code is ambiguous.
    with pytest.raises(bea.BeaError, match=r"A014RX_L3 or A014RX_L7"):
        real.series([("T10206", "A014RX")])
    both = real.series([("T10206", "A014RX_L3"), ("T10206", "A014RX_L7")])
    assert {m.line for m in both.series.values()} == {3, 7}


def test_annual_sheet(real):
    data = real.series([("T10105", "A191RC")], frequency="A")
    series = one(data, "A191RC")
    assert series.index[0] == pd.Timestamp("1929-01-01")
    assert series.index[-1] == pd.Timestamp("2023-01-01")
    assert len(series) == 2023 - 1929 + 1
    _, reference = independent_row("T10105-A", "A191RC")
    pd.testing.assert_series_equal(series, reference, check_names=False, check_freq=False)


def test_epi_pre2024_productivity_ndp_deflated_per_hour(real):
    """CLAIMS.md: EPI's pre-2024 measure, nominal NDP / NDP price index per hour of all workers,
    grows about 90% 1979Q4 -> 2024Q2 (about 101% with the GDP deflator)."""
    data = real.series([("T10705", "A362RC"), ("T10704", "A362RG"), ("T10104", "A191RG")])
    wide = data.observations.pivot(index="date", columns="series_id", values="value")
    hours_csv = SNAPSHOT / "TOTAL_ECONOMY_HOURS_ALL_WORKERS.csv"
    hours = pd.read_csv(hours_csv, index_col=0, parse_dates=True).iloc[:, 0]
    ndp_2026 = pd.read_csv(SNAPSHOT / "NIPA_T10705_L30_NDP.csv", index_col=0, parse_dates=True)
    ndp_2026 = ndp_2026.iloc[:, 0]
    start, end = pd.Timestamp("1979-10-01"), pd.Timestamp("2024-04-01")

    def growth(nominal: pd.Series, price: pd.Series) -> float:
        per_hour = nominal / price / hours
        return 100 * (per_hour[end] / per_hour[start] - 1)

    one_vintage = growth(wide["A362RC"], wide["A362RG"])
    one_vintage_gdp = growth(wide["A362RC"], wide["A191RG"])
    mixed = growth(ndp_2026, wide["A362RG"])
    mixed_gdp = growth(ndp_2026, wide["A191RG"])
    print(
        f"\nEPI pre-2024 productivity 1979Q4->2024Q2: one vintage (Aug-2024 workbook) "
        f"{one_vintage:.2f}% (GDP price index {one_vintage_gdp:.2f}%); "
        f"2026-vintage NDP / Aug-2024 NDP price index {mixed:.2f}% (GDP {mixed_gdp:.2f}%)"
    )
    # The independent pandas read gives the same one-vintage figure.
    _, ndp = independent_row("T10705-Q", "A362RC")
    _, price = independent_row("T10704-Q", "A362RG")
    assert one_vintage == pytest.approx(growth(ndp, price), abs=1e-9)
    # The published ~90% / ~101% is reproduced with the 2026-vintage NDP...
    assert mixed == pytest.approx(90, abs=1.5)
    assert mixed_gdp == pytest.approx(101, abs=1.5)
    # ...and one vintage lands a few points lower: the Sept-2024 annual update raised 2024Q2 NDP.
    assert one_vintage == pytest.approx(90, abs=5)
    assert one_vintage_gdp == pytest.approx(101, abs=5)
    assert one_vintage < mixed and one_vintage_gdp > one_vintage


# --- hand-made workbooks: layout and errors ------------------------------------------------------


def sheet_rows(
    dates=("2023Q4", "2024Q1", "2024Q2"),
    rows=(("1", "  Net domestic product\\1\\", "A362RG", 1.5, 2.5, 3.5),),
    published="Data published August 29, 2024",
    stated=True,
) -> list[list]:
    freq = "Quarterly" if "Q" in str(dates[0]) else "Annual"
    return [
        ["Table 1.7.4. Price Indexes for Net Domestic Product"],
        ["[Index numbers, 2017=100] Seasonally adjusted"],
        [f"{freq} data from {dates[0]} to {dates[-1]}" if stated else ""],
        ["Bureau of Economic Analysis"],
        [published],
        ["File created Aug 28 2024 11:53AM"],
        [],
        ["Line", None, None, *dates],
        *[list(r) for r in rows],
        [],
        ["1. A footnote."],
    ]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Contents"
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def single_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_small_workbook_markers_and_dates():
    rows = (
        ("1", "Net domestic product", "A362RG", 1.5, ".....", 3.5),
        ("2", "Other", "W367RG", "---", "(D)", None),
        ("3", "Placeholder", "ZZZZZZ", ".....", ".....", "....."),
    )
    data = bea.read_series(
        workbook({"T10704-Q": sheet_rows(rows=rows)}),
        [("T10704", "A362RG"), ("T10704", "W367RG")],
        name="small.xlsx",
    )
    assert one(data, "A362RG").to_dict() == {
        pd.Timestamp("2023-10-01"): 1.5,
        pd.Timestamp("2024-04-01"): 3.5,
    }
    assert one(data, "W367RG").empty and "W367RG" in data.series
    assert data.series["A362RG"].description == "Net domestic product"
    assert data.release_date == date(2024, 8, 29)


def test_missing_table_and_code_are_named():
    book = workbook({"T10704-Q": sheet_rows(), "T10903-A": sheet_rows(dates=(2021, 2022, 2023))})
    with pytest.raises(bea.BeaError) as exc:
        bea.read_series(book, [("T10705", "A362RC")], name="small.xlsx")
    assert "small.xlsx" in single_line(exc) and "T10705-Q" in str(exc.value)
    with pytest.raises(bea.BeaError, match=r"has T10903-A only"):
        bea.read_series(book, [("1.9.3", "A362RG")], name="small.xlsx")
    with pytest.raises(bea.BeaError) as exc:
        bea.read_series(book, [("T10704", "NOPE01")], name="small.xlsx")
    assert "sheet T10704-Q" in single_line(exc) and "NOPE01" in str(exc.value)
    annual = bea.read_table(book, "T10903", frequency="A", name="small.xlsx")
    assert list(one(annual, "A362RG").index.year) == [2021, 2022, 2023]


def test_non_numeric_value_names_sheet_row_and_column():
    rows = (("1", "Net domestic product", "A362RG", 1.5, "n/a?", 3.5),)
    with pytest.raises(bea.BeaError) as exc:
        bea.read_table(workbook({"T10704-Q": sheet_rows(rows=rows)}), "T10704", name="bad.xlsx")
    message = single_line(exc)
    # Header on Excel row 8, the data row on row 9; the bad cell is the second date: column E.
    assert "bad.xlsx: sheet T10704-Q row 9 column E" in message and "'n/a?'" in message


def test_bad_and_duplicate_date_headers():
    bad = workbook({"T10704-Q": sheet_rows(dates=("2023Q4", "2024Q5", "2024Q2"), stated=False)})
    with pytest.raises(bea.BeaError) as exc:
        bea.read_table(bad, "T10704", name="bad.xlsx")
    assert "sheet T10704-Q row 8 column E" in single_line(exc) and "2024Q5" in str(exc.value)
    twice = workbook({"T10704-Q": sheet_rows(dates=("2024Q1", "2024Q1", "2024Q2"), stated=False)})
    with pytest.raises(bea.BeaError) as exc:
        bea.read_table(twice, "T10704", name="dup.xlsx")
    assert "appears twice (columns D and E)" in single_line(exc)
    annual_in_q = workbook({"T10704-Q": sheet_rows(dates=(2022, 2023, 2024), stated=False)})
    with pytest.raises(bea.BeaError, match=r"not a quarterly period"):
        bea.read_table(annual_in_q, "T10704", name="x.xlsx")


def test_stated_range_and_codeless_values_are_checked():
    sheet = sheet_rows()
    sheet[2] = ["Quarterly data from 1947Q1 to 2024Q2"]
    with pytest.raises(bea.BeaError, match=r"row 3: states 1947Q1 to 2024Q2 but"):
        bea.read_table(workbook({"T10704-Q": sheet}), "T10704", name="x.xlsx")
    rows = (("1", "NDP", "A362RG", 1.0, 2.0, 3.0), ("", "no code", "", 4.0, 5.0, 6.0))
    with pytest.raises(bea.BeaError, match=r"row 10: values but no series code"):
        bea.read_table(workbook({"T10704-Q": sheet_rows(rows=rows)}), "T10704", name="x.xlsx")


def test_release_date_from_name_or_error():
    book = workbook({"T10704-Q": sheet_rows(published="")})
    named = bea.read_table(book, "T10704", name="Section1All_xls_2023-09-28.xlsx")
    assert named.release_date == date(2023, 9, 28)
    with pytest.raises(bea.BeaError, match=r"release date \(data vintage\) is unknown"):
        bea.read_table(book, "T10704", name="Section1All_xls.xlsx")
    bad = workbook({"T10704-Q": sheet_rows(published="Data published sometime")})
    with pytest.raises(bea.BeaError, match=r"sheet T10704-Q row 5: publication date"):
        bea.read_table(bad, "T10704", name="x.xlsx")


def test_not_a_workbook():
    with pytest.raises(bea.BeaError) as exc:
        bea.read_table(b"<html>Service unavailable</html>", "T10704", name="page.xlsx")
    assert single_line(exc).startswith("page.xlsx: not a readable Excel workbook")


def test_table_ids():
    assert bea.table_id("1.7.4") == "T10704"
    assert bea.table_id("Table 1.14") == "T11400"
    assert bea.table_id("t10705") == "T10705"
    with pytest.raises(bea.BeaError):
        bea.table_id("NDP")


# --- the live path against a local server --------------------------------------------------------


def api_answer(rows: list[dict], key: str = KEY) -> dict:
    return {
        "BEAAPI": {
            # BEA echoes the request, key included.
            "Request": {"RequestParam": [{"ParameterName": "USERID", "ParameterValue": key}]},
            "Results": {
                "Statistic": "NIPA Table",
                "Data": rows,
                "Notes": [
                    {
                        "NoteRef": "T10705",
                        "NoteText": "Table 1.7.5. Relation of Gross Domestic Product ... "
                        "- LastRevised: December 23, 2025",
                    }
                ],
            },
        }
    }


def api_row(code: str, line: str, period: str, value: str) -> dict:
    return {
        "TableName": "T10705",
        "SeriesCode": code,
        "LineNumber": line,
        "LineDescription": "Net domestic product",
        "TimePeriod": period,
        "METRIC_NAME": "Current Dollars",
        "CL_UNIT": "Level",
        "UNIT_MULT": "6",
        "DataValue": value,
        "NoteRef": "T10705",
    }


@pytest.fixture()
def clean_env(monkeypatch):
    monkeypatch.delenv("BEA_API_KEY", raising=False)
    monkeypatch.delenv("BEA_BASE_URL", raising=False)
    return monkeypatch


def test_api_path_parses_and_masks_the_key(httpserver, clean_env, caplog):
    rows = [
        api_row("A362RC", "30", "2024Q1", "23,544,136"),
        api_row("A362RC", "30", "2024Q2", "24,384,925"),
        api_row("A262RC", "5", "2024Q1", "(NA)"),
        api_row("A262RC", "5", "2024Q2", "4,777,502"),
    ]
    httpserver.expect_request(
        "/api/data",
        query_string={
            "UserID": KEY,
            "method": "GetData",
            "DataSetName": "NIPA",
            "TableName": "T10705",
            "Frequency": "Q",
            "Year": "X",
            "ResultFormat": "JSON",
        },
    ).respond_with_json(api_answer(rows))
    clean_env.setenv("BEA_API_KEY", KEY)
    clean_env.setenv("BEA_BASE_URL", httpserver.url_for("/").rstrip("/"))
    caplog.set_level(logging.INFO, logger="decoupling.sources.bea")

    data = bea.fetch_series([("1.7.5", "A362RC"), ("T10705", "A262RC")])
    assert one(data, "A362RC").to_dict() == {
        pd.Timestamp("2024-01-01"): 23_544_136.0,
        pd.Timestamp("2024-04-01"): 24_384_925.0,
    }
    assert one(data, "A262RC").to_dict() == {pd.Timestamp("2024-04-01"): 4_777_502.0}
    assert data.release_date == date(2025, 12, 23)
    assert data.series["A362RC"].line == 30 and "x 10^6" in data.series["A362RC"].units

    fetched = bea.fetch_api_table("T10705", api_key=KEY)
    assert fetched.url.startswith(httpserver.url_for("/api/data"))
    assert "UserID=%2A%2A%2A" in fetched.url
    # Our log lines only: the test server's own access log shows the query it received.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name == bea.__name__)
    for text in (fetched.url, fetched.body.decode(), data.source, ours):
        assert KEY not in text
    assert "GET http://" in ours


@pytest.mark.parametrize(
    "answer",
    [
        {"BEAAPI": {"Results": {"Error": {"APIErrorCode": "40", "APIErrorDescription": "bad"}}}},
        {"BEAAPI": {"Error": {"APIErrorCode": "3", "APIErrorDescription": "bad"}}},
        {"BEAAPI": {"Results": [{"Error": [{"error": "bad"}, {"error": "worse"}]}]}},
    ],
)
def test_api_error_in_a_200_answer(httpserver, clean_env, answer):
    # BEA may repeat the key in its description: it must not reach the message.
    text = json.dumps(answer).replace('"bad"', f'"bad UserID {KEY}\\nsecond line"')
    httpserver.expect_request("/api/data").respond_with_data(text, content_type="application/json")
    with pytest.raises(bea.BeaError) as exc:
        bea.fetch_api_table("T10705", api_key=KEY, base=httpserver.url_for("/"))
    message = single_line(exc)
    assert "BEA API error" in message and "bad UserID ***" in message
    assert KEY not in message and "/api/data" in message


def test_http_failures_mask_the_key(httpserver, clean_env):
    httpserver.expect_request("/api/data").respond_with_data("oops", status=500)
    with pytest.raises(bea.BeaError) as exc:
        bea.fetch_api_table("T10705", api_key=KEY, base=httpserver.url_for("/"))
    assert "HTTP 500" in single_line(exc) and KEY not in str(exc.value)
    closed = "http://127.0.0.1:9"  # discard port: nothing listens, the connection is refused
    with pytest.raises(bea.BeaError) as exc:
        bea.fetch_api_table("T10705", api_key=KEY, base=closed)
    assert KEY not in single_line(exc) and "127.0.0.1" in str(exc.value)
    with pytest.raises(bea.BeaError, match=r"needs a key"):
        bea.fetch_api_table("T10705", api_key="")


def test_api_answer_validation():
    good = api_answer([api_row("A362RC", "30", "2024Q2", "1,000")])
    parsed = bea.parse_api_json(json.dumps(good).encode(), table="T10705", source="answer.json")
    assert one(parsed, "A362RC").to_dict() == {pd.Timestamp("2024-04-01"): 1000.0}
    for bad_row, needle in (
        (api_row("A362RC", "30", "2024Q5", "1"), "TimePeriod '2024Q5'"),
        (api_row("A362RC", "30", "2024Q2", "abc"), "DataValue 'abc'"),
        ({**api_row("A362RC", "30", "2024Q2", "1"), "TableName": "T10704"}, "TableName T10704"),
    ):
        with pytest.raises(bea.BeaError) as exc:
            body = json.dumps(api_answer([bad_row])).encode()
            bea.parse_api_json(body, table="T10705", source="answer.json")
        assert needle in single_line(exc) and "answer.json: Data row 0" in str(exc.value)
    twice = api_answer([api_row("A362RC", "30", "2024Q2", "1")] * 2)
    with pytest.raises(bea.BeaError, match=r"Data row 1: A362RC line 30 has 2024Q2 twice"):
        bea.parse_api_json(json.dumps(twice).encode(), table="T10705")
    with pytest.raises(bea.BeaError, match=r"not JSON"):
        bea.parse_api_json(b"<html>", table="T10705")


def test_keyless_path_downloads_the_section_workbook(httpserver, clean_env):
    book = workbook({"T10704-Q": sheet_rows()})
    httpserver.expect_request(
        "/mirror/national/Release/XLS/Survey/Section1All_xls.xlsx"
    ).respond_with_data(
        book, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    clean_env.setenv("BEA_BASE_URL", httpserver.url_for("/mirror"))
    data = bea.fetch_series([("T10704", "A362RG")])
    assert one(data, "A362RG").to_dict() == {
        pd.Timestamp("2023-10-01"): 1.5,
        pd.Timestamp("2024-01-01"): 2.5,
        pd.Timestamp("2024-04-01"): 3.5,
    }
    assert data.release_date == date(2024, 8, 29)
    assert data.source.endswith("/mirror/national/Release/XLS/Survey/Section1All_xls.xlsx")


def test_keyless_path_refuses_an_html_page(httpserver, clean_env):
    httpserver.expect_request(
        "/national/Release/XLS/Survey/Section1All_xls.xlsx"
    ).respond_with_data("<html>maintenance</html>", content_type="text/html")
    with pytest.raises(bea.BeaError, match=r"not an xlsx workbook"):
        bea.fetch_section_workbook(1, base=httpserver.url_for("/"))


def test_injected_getter_and_default_base(clean_env):
    calls = []

    def get(url, params):
        calls.append((url, dict(params)))
        return json.dumps(api_answer([api_row("A362RC", "30", "2024Q2", "5")])).encode()

    data = bea.fetch_series([("T10705", "A362RC")], api_key=KEY, get=get)
    assert calls == [("https://apps.bea.gov/api/data", bea.api_params("T10705", KEY))]
    assert one(data, "A362RC").iloc[0] == 5.0

    def failing(url, params):
        raise RuntimeError(f"proxy refused {url}?UserID={params['UserID']}")

    with pytest.raises(bea.BeaError) as exc:
        bea.fetch_api_table("T10705", api_key=KEY, get=failing)
    assert KEY not in single_line(exc) and "proxy refused" in str(exc.value)
