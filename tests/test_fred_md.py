"""FRED-MD / FRED-QD: layout detection and validation on hand-made files, the real 2025 vintages,
and the download path against a local HTTP server."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from decoupling.sources import fred_md
from decoupling.sources.fred_md import COLUMNS, FredMdError, fetch, parse, url_for

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / ".." / "shared" / "fred-snapshot" / "raw"
MD_FILE = RAW / "FRED-MD_2025-08-vintage.csv"
QD_FILE = RAW / "FRED-QD_2025Q2-vintage.csv"
C6_COLUMNS = ["PAYEMS", "USGOOD", "SRVPRD", "MANEMP"]


def write(tmp_path: Path, text: str, name: str = "fixture.csv") -> bytes:
    """Write a hand-made file (CRLF like the published ones) and return its bytes."""
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode())
    return path.read_bytes()


MD_GOOD = """sasdate,PAYEMS,SRVPRD,S&P 500
Transform:,5,5,5
1/1/2000,100,70.5,1400
2/1/2000,,71,1410
3/1/2000,102,.,1420
"""

QD_GOOD = """sasdate,GDPC1,NWPIx
factors,0,1
transform,5,1
3/1/2000,10,500
6/1/2000,11,510
"""


# --- layout and values on hand-made files ----------------------------------------------------


def test_md_fixture_parses_to_long_frame(tmp_path):
    body = write(tmp_path, MD_GOOD)
    frame = parse(body, ["SRVPRD", "PAYEMS"], frequency="M", name="md.csv")
    assert list(frame.columns) == ["series_id", "date", "value"]
    assert frame["value"].dtype == np.float64
    assert frame["date"].dtype.kind == "M"
    assert str(frame["series_id"].dtype) == "string"
    # requested order kept; each series has every data row
    assert list(frame["series_id"].unique()) == ["SRVPRD", "PAYEMS"]
    payems = frame[frame["series_id"] == "PAYEMS"]
    assert list(payems["date"]) == list(pd.to_datetime(["2000-01-01", "2000-02-01", "2000-03-01"]))
    assert payems["value"].iloc[0] == 100.0
    assert np.isnan(payems["value"].iloc[1])  # empty cell
    srvprd = frame[frame["series_id"] == "SRVPRD"]
    assert srvprd["value"].iloc[1] == 71.0
    assert np.isnan(srvprd["value"].iloc[2])  # FRED's "." for missing
    assert frame.attrs["tcodes"] == {"SRVPRD": 5, "PAYEMS": 5}
    assert frame.attrs["factors"] == {}
    assert frame.attrs["layout"] == {"header": 1, "transform": 2, "first_data": 3, "last_data": 5}


def test_qd_fixture_dates_quarters_by_their_first_day(tmp_path):
    body = write(tmp_path, QD_GOOD)
    frame = parse(body, ["NWPIx", "GDPC1"], frequency="Q", name="qd.csv")
    nw = frame[frame["series_id"] == "NWPIx"]
    # 3/1/2000 is 2000Q1 and 6/1/2000 is 2000Q2 in FRED-QD
    assert list(nw["date"]) == list(pd.to_datetime(["2000-01-01", "2000-04-01"]))
    assert list(nw["value"]) == [500.0, 510.0]
    assert frame.attrs["tcodes"] == {"NWPIx": 1, "GDPC1": 5}
    assert frame.attrs["factors"] == {"NWPIx": 1, "GDPC1": 0}
    assert frame.attrs["layout"]["factors"] == 2 and frame.attrs["layout"]["transform"] == 3


def test_qd_label_rows_in_either_order(tmp_path):
    swapped = QD_GOOD.replace("factors,0,1\ntransform,5,1", "Transform:,5,1\nfactors,0,1")
    frame = parse(write(tmp_path, swapped), ["GDPC1"], frequency="Q", name="qd.csv")
    assert frame.attrs["layout"]["transform"] == 2 and frame.attrs["layout"]["factors"] == 3
    assert frame.attrs["tcodes"] == {"GDPC1": 5}


def test_trailing_blank_lines_are_ignored(tmp_path):
    frame = parse(write(tmp_path, MD_GOOD + ",,,\n\n"), ["PAYEMS"], frequency="M", name="md.csv")
    assert len(frame) == 3


# --- validation: one line naming file, line and column ----------------------------------------


def expect_error(body: bytes, columns: list[str], frequency: str, *parts: str) -> FredMdError:
    with pytest.raises(FredMdError) as info:
        parse(body, columns, frequency=frequency, name="bad.csv")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("bad.csv")
    for part in parts:
        assert part in message, message
    return info.value


def test_missing_column(tmp_path):
    err = expect_error(write(tmp_path, MD_GOOD), ["PAYEMS", "USGOOD"], "M", "line 1", "USGOOD")
    assert err.column == "USGOOD" and err.line == 1


def test_transform_row_missing(tmp_path):
    text = MD_GOOD.replace("Transform:,5,5,5\n", "")
    err = expect_error(
        write(tmp_path, text), ["PAYEMS"], "M", "line 2", "no transformation-code row"
    )
    assert (err.line, err.column) == (2, "sasdate")


def test_transform_row_after_data(tmp_path):
    lines = MD_GOOD.splitlines()
    text = "\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n"
    err = expect_error(write(tmp_path, text), ["PAYEMS"], "M", "line 3", "after data rows")
    assert err.line == 3


def test_md_transform_row_not_first_after_header(tmp_path):
    text = MD_GOOD.replace("Transform:,5,5,5\n", "factors,0,0,1\nTransform:,5,5,5\n")
    err = expect_error(write(tmp_path, text), ["PAYEMS"], "M", "line 3", "first row after")
    assert err.line == 3
    # the same rows are fine in FRED-QD, whose label rows come in any order
    parse(
        write(
            tmp_path,
            text.replace("1/1/2000", "3/1/2000")
            .replace("2/1/2000", "6/1/2000")
            .replace("3/1/2000,102", "9/1/2000,102"),
        ),
        ["PAYEMS"],
        frequency="Q",
        name="q",
    )


def test_unknown_row_label_before_data(tmp_path):
    text = MD_GOOD.replace("1/1/2000,100", "Units:,100")
    expect_error(write(tmp_path, text), ["PAYEMS"], "M", "line 3", "'Units:'")


def test_non_numeric_value(tmp_path):
    text = MD_GOOD.replace("102,.,1420", "102,n/a,1420")
    err = expect_error(write(tmp_path, text), ["SRVPRD"], "M", "line 5", "column SRVPRD", "'n/a'")
    assert (err.line, err.column) == (5, "SRVPRD")
    # the bad cell is in a column nobody asked for: not an error
    assert len(parse(write(tmp_path, text), ["PAYEMS"], frequency="M", name="ok.csv")) == 3


def test_infinite_value_is_not_a_number(tmp_path):
    text = MD_GOOD.replace("2/1/2000,,71", "2/1/2000,inf,71")
    expect_error(write(tmp_path, text), ["PAYEMS"], "M", "line 4", "column PAYEMS")


@pytest.mark.parametrize(
    ("bad", "line", "problem"),
    [
        ("13/1/2000", 4, "bad date '13/1/2000'"),
        ("2/15/2000", 4, "not the first day"),
        ("Feb 2000", 4, "bad date"),
        ("", 4, "bad date ''"),
    ],
)
def test_bad_date(tmp_path, bad, line, problem):
    text = MD_GOOD.replace("2/1/2000", bad)
    expect_error(write(tmp_path, text), ["PAYEMS"], "M", f"line {line}", "column sasdate", problem)


def test_duplicate_date(tmp_path):
    text = MD_GOOD.replace("3/1/2000", "2/1/2000")
    expect_error(write(tmp_path, text), ["PAYEMS"], "M", "line 5", "duplicate date", "line 4")


def test_dates_out_of_order(tmp_path):
    text = MD_GOOD.replace("1/1/2000", "4/1/2000")
    expect_error(write(tmp_path, text), ["PAYEMS"], "M", "line 4", "must ascend")


def test_quarterly_date_not_a_quarter_end(tmp_path):
    text = QD_GOOD.replace("6/1/2000", "5/1/2000")
    expect_error(write(tmp_path, text), ["GDPC1"], "Q", "line 5", "quarter's last month")


@pytest.mark.parametrize("code", ["8", "0", "5.5", "x", ""])
def test_tcode_not_integer_1_to_7(tmp_path, code):
    text = MD_GOOD.replace("Transform:,5,5,5", f"Transform:,5,{code},5")
    err = expect_error(write(tmp_path, text), ["SRVPRD"], "M", "line 2", "column SRVPRD", "1-7")
    assert err.line == 2


def test_factor_flag_not_0_or_1(tmp_path):
    text = QD_GOOD.replace("factors,0,1", "factors,0,2")
    expect_error(write(tmp_path, text), ["NWPIx"], "Q", "line 2", "column NWPIx", "0 or 1")


def test_wrong_first_column_and_html(tmp_path):
    expect_error(write(tmp_path, MD_GOOD.replace("sasdate", "date")), ["PAYEMS"], "M", "sasdate")
    expect_error(b"<!DOCTYPE html><html>Not found</html>", ["PAYEMS"], "M", "HTML")


def test_ragged_row(tmp_path):
    text = MD_GOOD.replace("2/1/2000,,71,1410", "2/1/2000,,71,1410,9")
    err = expect_error(write(tmp_path, text), ["PAYEMS"], "M", "line 4", "well-formed")
    assert err.line == 4


def test_missing_column_points_at_the_adjusted_variant(tmp_path):
    text = MD_GOOD.replace("SRVPRD", "SRVPRDx")
    expect_error(write(tmp_path, text), ["SRVPRD"], "M", "column SRVPRD", "the file has SRVPRDx")


# --- the real vintages in the snapshot --------------------------------------------------------


def real(path: Path) -> bytes:
    if not path.is_file():
        pytest.skip(f"the shared snapshot file {path} is absent (tests on real data need it)")
    return path.read_bytes()


@pytest.fixture(scope="module")
def md_frame() -> pd.DataFrame:
    return parse(real(MD_FILE), C6_COLUMNS, frequency="M", name=MD_FILE.name)


QD_COLUMNS = [name for name, info in COLUMNS.items() if info.frequency == "Q"]


@pytest.fixture(scope="module")
def qd_frame() -> pd.DataFrame:
    return parse(real(QD_FILE), QD_COLUMNS, frequency="Q", name=QD_FILE.name)


def wide(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.pivot(index="date", columns="series_id", values="value")


def test_md_real_file(md_frame):
    table = wide(md_frame)
    assert sorted(table.columns) == sorted(C6_COLUMNS)
    # 1959-01 .. 2025-08, every month, no gaps
    assert table.index.min() == pd.Timestamp("1959-01-01")
    assert table.index.max() == pd.Timestamp("2025-08-01")
    assert len(table) == (2025 - 1959) * 12 + 8
    assert table.notna().all().all()
    # FRED-MD appendix: all four are tcode 5 (first difference of logs)
    assert md_frame.attrs["tcodes"] == dict.fromkeys(C6_COLUMNS, 5)
    assert md_frame.attrs["layout"]["transform"] == 2
    # CES identity: goods-producing + service-providing = total nonfarm
    assert (table["USGOOD"] + table["SRVPRD"] - table["PAYEMS"]).abs().max() < 1.0


def test_service_share_matches_claims_c6(md_frame):
    """CLAIMS.md C6 orientation: services 72.2% (1979) -> 86.3% (2024); manufacturing 21.6% -> 8.1%."""
    table = wide(md_frame)
    annual = table.groupby(table.index.year).mean()
    share = 100 * annual["SRVPRD"] / annual["PAYEMS"]
    manufacturing = 100 * annual["MANEMP"] / annual["PAYEMS"]
    assert share[1979] == pytest.approx(72.2, abs=0.3)
    assert share[2024] == pytest.approx(86.3, abs=0.3)
    assert manufacturing[1979] == pytest.approx(21.6, abs=0.3)
    assert manufacturing[2024] == pytest.approx(8.1, abs=0.3)


def test_qd_real_file(qd_frame):
    table = wide(qd_frame)
    assert sorted(table.columns) == sorted(QD_COLUMNS)
    # 1959Q1 .. 2025Q2 (the raw file dates them 3/1/1959 .. 6/1/2025)
    assert table.index.min() == pd.Timestamp("1959-01-01")
    assert table.index.max() == pd.Timestamp("2025-04-01")
    assert len(table) == (2025 - 1959) * 4 + 2
    assert table.loc["2025-04-01"].notna().all()
    assert qd_frame.attrs["layout"] == {
        "header": 1,
        "factors": 2,
        "transform": 3,
        "first_data": 4,
        "last_data": 269,
    }
    # FRED-QD appendix tcodes
    expected = {"TNWBSHNOx": 5, "NWPIx": 1, "TNWMVBSNNCBx": 5, "TNWMVBSNNCBBDIx": 2, "DPIC96": 5}
    assert {k: qd_frame.attrs["tcodes"][k] for k in expected} == expected


def test_qd_ratio_columns_are_the_appendix_ratios(qd_frame):
    """NWPIx is net worth / disposable income and TNWMVBSNNCBBDIx net worth / disposable business
    income (appendix), recomputed here from the level columns in every quarter."""
    table = wide(qd_frame)
    nw_to_dpi = 100 * table["TNWBSHNOx"] / table["DPIC96"]
    corp_to_dbi = 100 * table["TNWMVBSNNCBx"] / table["CNCFx"]
    assert np.allclose(nw_to_dpi, table["NWPIx"], rtol=1e-5)
    assert np.allclose(corp_to_dbi, table["TNWMVBSNNCBBDIx"], rtol=1e-4)


def test_qd_quarters_align_with_md_months(md_frame):
    """FRED-QD's PAYEMS is the quarter's average of FRED-MD's months: checks the 3/1 -> Q1 shift."""
    qd = wide(parse(real(QD_FILE), ["PAYEMS"], frequency="Q", name=QD_FILE.name))["PAYEMS"]
    monthly = wide(md_frame)["PAYEMS"]
    by_quarter = monthly.groupby(monthly.index.to_period("Q").start_time).mean()
    for quarter in ("1979-01-01", "1995-07-01", "2024-10-01"):
        assert qd[quarter] == pytest.approx(by_quarter[quarter], abs=0.01)


def test_columns_exist_in_the_real_files():
    md_header = real(MD_FILE).split(b"\r\n", 1)[0].decode().split(",")
    qd_header = real(QD_FILE).split(b"\r\n", 1)[0].decode().split(",")
    for name, info in COLUMNS.items():
        assert name in (md_header if info.frequency == "M" else qd_header), name


# --- fetch against a local server -------------------------------------------------------------

MD_PATH = "/-/media/project/frbstl/stlouisfed/research/fred-md/monthly/current.csv"
QD_VINTAGE_PATH = "/-/media/project/frbstl/stlouisfed/research/fred-md/quarterly/2025-07-qd.csv"


def test_url_for_defaults_and_vintages():
    assert url_for("MD") == "https://www.stlouisfed.org" + MD_PATH
    assert url_for("QD", "2025-07") == "https://www.stlouisfed.org" + QD_VINTAGE_PATH
    assert url_for("MD", "2025-08").endswith("/fred-md/monthly/2025-08-md.csv")
    assert url_for("MD", None, "http://127.0.0.1:9/") == "http://127.0.0.1:9" + MD_PATH
    with pytest.raises(FredMdError, match="YYYY-MM"):
        url_for("MD", "2025-13")
    with pytest.raises(FredMdError, match="'MD' or 'QD'"):
        url_for("XD")  # type: ignore[arg-type]


def test_fetch_current_md_from_local_server(httpserver, monkeypatch, tmp_path):
    body = write(tmp_path, MD_GOOD)
    httpserver.expect_request(MD_PATH).respond_with_data(body, content_type="text/csv")
    monkeypatch.setenv(fred_md.BASE_URL_ENV, httpserver.url_for("/"))
    got = fetch("MD")
    assert got == body
    frame = parse(got, ["PAYEMS"], frequency="M", name="current.csv")
    assert len(frame) == 3


def test_fetch_vintage_qd_from_local_server(httpserver, monkeypatch, tmp_path):
    body = write(tmp_path, QD_GOOD)
    httpserver.expect_request(QD_VINTAGE_PATH).respond_with_data(body, content_type="text/csv")
    monkeypatch.setenv(fred_md.BASE_URL_ENV, httpserver.url_for("/"))
    assert fetch("QD", "2025-07") == body


def test_fetch_missing_vintage_is_an_http_error(httpserver, monkeypatch):
    httpserver.expect_request(QD_VINTAGE_PATH).respond_with_data("no such file", status=404)
    monkeypatch.setenv(fred_md.BASE_URL_ENV, httpserver.url_for("/"))
    with pytest.raises(Exception, match="404") as info:
        fetch("QD", "2025-07")
    assert "\n" not in str(info.value)


def test_fetch_uses_the_given_getter_and_checks_the_body(monkeypatch):
    monkeypatch.delenv(fred_md.BASE_URL_ENV, raising=False)
    asked: list[str] = []

    def get(url: str) -> bytes:
        asked.append(url)
        return b"<html><body>Page moved</body></html>"

    with pytest.raises(FredMdError, match="not a FRED-MD CSV"):
        fetch("MD", "2025-08", get=get)
    assert asked == [url_for("MD", "2025-08")]
