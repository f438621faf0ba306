"""Claim C2: barber-hours per TV, the time-price matrix and the C2 scorecard, on the real snapshot."""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from decoupling import transform
from decoupling.claims import c2_time_prices as c2_section
from decoupling.pipeline import Options, run_refresh
from decoupling.settings import ConfigError

YEARS = (2008, 2024)  # the first and the last OEWS file of the snapshot


def workbook_value(snapshot: Path, year: int, soc: str, column: str) -> float:
    """A cell of the national workbook, read with pandas (independently of flows.sources.oews)."""
    path = next((snapshot / "raw" / "oews").glob(f"national_M{year}_dl.xls*"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pd.read_excel(path, dtype=str)
    table.columns = [c.strip().upper() for c in table.columns]
    rows = table[table["OCC_CODE"].str.strip() == soc]
    if "I_GROUP" in table.columns:  # 2024 on: keep the cross-industry row
        rows = rows[rows["I_GROUP"].str.strip().str.lower() == "cross-industry"]
    assert len(rows) == 1, f"{path.name}: {len(rows)} rows for {soc}"
    return float(rows[column].iloc[0])


@pytest.fixture(scope="module")
def barber_wages(snapshot_dir) -> dict[int, float]:
    return {year: workbook_value(snapshot_dir, year, "39-5011", "H_MEAN") for year in YEARS}


@pytest.fixture(scope="module")
def tv_annual(snapshot_dir) -> pd.Series:
    """Annual averages of the snapshot's TV index, from its CSV."""
    csv = pd.read_csv(snapshot_dir / "CUSR0000SERA01.csv", parse_dates=["observation_date"])
    csv = csv.dropna()
    by_year = csv.groupby(csv["observation_date"].dt.year)["CUSR0000SERA01"]
    return by_year.mean()[by_year.count() == 12]


def mart(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM marts.barber_tv_hours ORDER BY year").df().set_index("year")


def test_barber_wage_and_hours_match_the_workbooks(warehouse_ro, barber_wages, tv_annual):
    data = mart(warehouse_ro)
    anchor = int(data["anchor_year"].iloc[0])
    # The claim's "twenty years ago": the claim year (the last OEWS file, 2024) minus 20.
    assert anchor == YEARS[1] - 20
    assert data["anchor_note"].iloc[0].startswith("twenty years before the claim year")
    for year, wage in barber_wages.items():
        assert data.loc[year, "barber_wage_mean"] == pytest.approx(wage)
    # Hours in a year with both: $2,000 x index ratio / the workbook's wage.
    tv_price = 2000 * tv_annual[2008] / tv_annual[anchor]
    assert data.loc[2008, "tv_price"] == pytest.approx(tv_price)
    assert data.loc[2008, "hours_mean"] == pytest.approx(tv_price / barber_wages[2008])
    # Gaps stay gaps: no OEWS file for 2009-2012, no TV index after 2019.
    assert data.loc[2009:2012, "barber_wage_mean"].isna().all()
    assert data.loc[2009:2012, "hours_mean"].isna().all()
    assert data.loc[2020:, "tv_price"].isna().all()
    assert data["tv_series_id"].dropna().unique().tolist() == ["CUSR0000SERA01"]


def _at_least(value: float, ref: float, supported: float, partly: float) -> str:
    """The registry's at_least rule, written out again so the test does not trust the SQL."""
    if value >= ref - supported:
        return "supported"
    return "partly supported" if value >= ref - partly else "not supported"


def test_c2_scorecard_rows_follow_the_data(warehouse_ro, barber_wages, tv_annual):
    rows = (
        warehouse_ro.execute(
            "SELECT metric_id, claimed, measured, period, verdict, rule FROM marts.claims "
            "WHERE claim_id = 'C2'"
        )
        .df()
        .set_index("metric_id")
    )
    wage = rows.loc["c2_wage_part"]
    first, last = YEARS  # the claim's start (2024 - 20 = 2004) precedes the first OEWS file
    expected = (barber_wages[last] / barber_wages[first]) ** (20 / (last - first))
    assert wage["claimed"] == 300  # x4 = +300%
    assert wage["measured"] == pytest.approx(100 * (expected - 1))
    assert wage["period"] == f"{first}-{last}"
    assert wage["verdict"] == _at_least(100 * (expected - 1), 300, 100, 200)
    assert "at least +200%" in wage["rule"]
    price = rows.loc["c2_price_part"]
    y0, y1 = last - 20, tv_annual.index.max()  # the claim year minus 20, to the index's end
    expected_price = (tv_annual[y1] / tv_annual[y0]) ** (20 / (y1 - y0))
    assert price["claimed"] == -50
    assert price["period"] == f"{y0}-{y1}"
    assert price["measured"] == pytest.approx(100 * (expected_price - 1))
    assert price["verdict"] == ("supported" if expected_price <= 0.5 else "not supported")
    share = rows.loc["c2_pay_share"]
    assert 0 < share["measured"] < 100
    assert share["verdict"] == (
        "supported"
        if abs(share["measured"] - 66.7) <= 10
        else "partly supported"
        if abs(share["measured"] - 66.7) <= 25
        else "not supported"
    )


def test_c2_specifications_say_which_choice_they_vary(warehouse_ro, tv_annual):
    specs = (
        warehouse_ro.execute(
            "SELECT specification, choice, measured, verdict, reason FROM marts.claim_verdicts "
            "WHERE metric_id = 'c2_price_part'"
        )
        .df()
        .set_index("choice")
    )
    # The index's first year as the start: 2000-2019 instead of 2004-2019.
    y0, y1 = tv_annual.index.min(), tv_annual.index.max()
    expected = 100 * ((tv_annual[y1] / tv_annual[y0]) ** (20 / (y1 - y0)) - 1)
    assert specs.loc["start year", "measured"] == pytest.approx(expected)
    # The snapshot holds one seasonal form of the TV index: the other is not available, and why.
    assert specs.loc["TV index SA/NSA", "verdict"] == "not available"
    assert "seasonal form" in specs.loc["TV index SA/NSA", "reason"]


def test_matrix_has_every_wage_price_and_year(warehouse_ro):
    wages = warehouse_ro.execute("SELECT * FROM staging.wage_series").df()
    prices = warehouse_ro.execute("SELECT * FROM staging.price_series").df()
    # Full OEWS width: every occupation with a wage is a wage series.
    occupations = warehouse_ro.execute(
        "SELECT count(DISTINCT soc || measure) FROM staging.oews_wages WHERE wage IS NOT NULL"
    ).fetchall()[0][0]
    assert wages["wage_series_id"].str.startswith("OEWS_").sum() > 0
    assert wages.loc[
        wages["wage_series_id"].str.startswith("OEWS_"), "wage_series_id"
    ].nunique() == (occupations)
    expected = wages.merge(prices, on="year")
    expected["time_price"] = expected["price"] / expected["wage"]
    expected = expected.sort_values("year")
    first = expected.groupby(["wage_series_id", "price_series_id"])["time_price"].transform("first")
    expected["expected_index"] = 100 * expected["time_price"] / first
    matrix = warehouse_ro.execute("SELECT * FROM marts.time_price_matrix").df()
    assert len(matrix) == len(expected)
    both = matrix.merge(expected, on=["wage_series_id", "price_series_id", "year"])
    assert len(both) == len(matrix)
    assert (both["time_price_index"] - both["expected_index"]).abs().max() < 1e-9
    # The analyst's question: registered nurses' hours per unit of hospital-type services.
    nurses = warehouse_ro.execute(
        """
        SELECT year, time_price_index FROM marts.time_prices
        WHERE wage_series_id = 'OEWS_291141_H_MEAN' AND price_series_id = 'LTWT_MEDICAL_SERVICES'
        ORDER BY year
        """
    ).fetchall()
    assert nurses[0] == (2013, pytest.approx(100.0))
    assert [y for y, _ in nurses] == list(range(2013, 2020))


def test_anchor_price_and_year_are_configurable(warehouse_copy, monkeypatch):
    copy = warehouse_copy
    monkeypatch.setenv("DECOUPLING_C2_ANCHOR_PRICE", "1500")
    monkeypatch.setenv("DECOUPLING_C2_ANCHOR_YEAR", "2010")
    con = duckdb.connect(str(copy))
    try:
        transform.run(con)
        data = mart(con)
        assert data.loc[2010, "tv_price"] == pytest.approx(1500)
        assert (data["anchor_year"] == 2010).all()
        assert data["anchor_note"].iloc[0] == "anchor year set by the user"
        monkeypatch.setenv("DECOUPLING_C2_ANCHOR_PRICE", "two thousand")
        with pytest.raises(ConfigError, match="DECOUPLING_C2_ANCHOR_PRICE"):
            transform.run(con)
    finally:
        con.close()


def bad_workbook(kind: str) -> bytes:
    header = ["OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "A_MEAN", "H_MEDIAN"]
    header.append("A_MEDIAN")
    row = ["39-5011", "Barbers", "detailed", 100, 20.0, 41600, 17.5, 36400]
    if kind == "missing column":
        header, row = header[:4] + header[5:], row[:4] + row[5:]
    if kind == "bad number":
        row[4] = "twenty"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Field Descriptions" if kind == "wrong sheet" else "national_M2030_dl"
    if kind != "wrong sheet":
        sheet.append(header)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "named"),
    [("missing column", "H_MEAN"), ("wrong sheet", "OCC_CODE"), ("bad number", "H_MEAN")],
)
def test_malformed_oews_file_stops_the_refresh_and_leaves_the_warehouse(
    warehouse_copy, tmp_path, kind, named
):
    warehouse = warehouse_copy
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    folder = tmp_path / "snapshot" / "raw" / "oews"
    folder.mkdir(parents=True)
    (folder / "national_M2030_dl.xlsx").write_bytes(bad_workbook(kind))
    options = Options(
        snapshots=[str(tmp_path / "snapshot")],
        series=["OEWS_NATIONAL"],
        warehouse=str(warehouse),
        output_dir=str(tmp_path / "out"),
        raw_dir=str(tmp_path / "raw"),
        quiet=True,
    )
    with pytest.raises(ConfigError) as error:
        run_refresh(options)
    message = str(error.value)
    assert "national_M2030_dl.xlsx" in message and named in message
    assert "\n" not in message
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert not (tmp_path / "out" / "report.html").exists()


def test_report_has_the_c2_section_and_chart_data(refreshed):
    out = refreshed["settings"].output_dir
    html = (out / "report.html").read_text()
    assert 'id="c2"' in html and "constant-quality" in html.lower()
    for name in ("c2_barber_hours_per_tv", "c2_century_prices", "c2_century_time_prices"):
        assert (out / "charts" / f"{name}.svg").is_file()
        data = pd.read_csv(out / "data" / f"{name}.csv")
        assert not data.empty
    century = pd.read_csv(out / "data" / "c2_century_prices.csv")
    context = century[century["role"] == "context"]
    assert set(context["series_id"]) == {"CUUR0000SERA"}  # a context line, not a TV price
    tv = century[century["category"] == "Televisions"]
    assert set(tv["series_id"]) == {"CUSR0000SERA01"}


def test_section_without_data_says_why():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.barber_tv_hours AS SELECT 2000 AS year, NULL::DOUBLE AS hours_mean"
    )
    section = c2_section.section(con)
    assert section.available is False and "barber wage" in section.reason


def test_soc_code_changes_are_linked_only_where_the_occupation_kept_its_title(warehouse_ro):
    links = warehouse_ro.execute(
        "SELECT old_soc, new_soc, soc_change FROM staging.oews_code_links"
    ).fetchall()
    by_old = {old: (new, change) for old, new, change in links}
    assert by_old["29-1111"] == ("29-1141", "SOC 2000 -> 2010")  # registered nurses
    assert by_old["29-1061"] == ("29-1211", "SOC 2010 -> 2018")  # anesthesiologists
    assert by_old["15-1021"][0] == "15-1131" and by_old["15-1131"][0] == "15-1251"  # a chain
    assert "15-1132" not in by_old  # software developers were merged: no silent splice
    assert "39-5011" not in by_old  # barbers kept their code
    # No link joins two codes published in the same year.
    overlap = warehouse_ro.execute(
        """
        SELECT count(*) FROM staging.oews_code_links l
        JOIN staging.oews_wages a ON a.soc = l.old_soc
        JOIN staging.oews_wages b ON b.soc = l.new_soc AND b.year = a.year
        """
    ).fetchall()[0][0]
    assert overlap == 0
