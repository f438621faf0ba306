"""Claim C1: EPI's method reproduced, the exact wedge identity, the multiverse, metamorphic checks
and the errors for bad base periods or variant names."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from ops_support import file_sha

# EPI's published 1979q4-2025q3 figures (docs/CLAIMS.md): the target, not our output.
EPI_PUBLISHED_PRODUCTIVITY = 90.2
EPI_PUBLISHED_PAY = 33.0


def _csv(folder: Path, series_id: str) -> pd.Series:
    frame = pd.read_csv(folder / f"{series_id}.csv", parse_dates=["observation_date"])
    return frame.set_index("observation_date")[series_id].dropna()


def _quarterly_mean(monthly: pd.Series) -> pd.Series:
    groups = monthly.groupby(monthly.index.to_period("Q"))
    return groups.mean()[groups.count() == 3]


def _by_quarter(quarterly: pd.Series) -> pd.Series:
    out = quarterly.copy()
    out.index = out.index.to_period("Q")
    return out


def epi_from_csvs(folder: Path) -> tuple[pd.Series, pd.Series]:
    """EPI's real net productivity and real typical compensation, straight from the CSV files."""
    rs, chained = _csv(folder, "CPI_U_RS"), _csv(folder, "SUUR0000SA0")
    join = pd.Timestamp("1999-12-01")
    extended = pd.concat(
        [rs[rs.index < join] * chained[join] / rs[join], chained[chained.index >= join]]
    )
    cpi = _quarterly_mean(extended)
    ndp = _by_quarter(_csv(folder, "NIPA_T10705_L30_NDP"))
    hours = _by_quarter(_csv(folder, "TOTAL_ECONOMY_HOURS_ALL_WORKERS"))
    ratio = _by_quarter(_csv(folder, "W209RC1")) / _by_quarter(_csv(folder, "A576RC1"))
    productivity = (ndp / hours / cpi).dropna()
    pay = (_quarterly_mean(_csv(folder, "AHETPI")) * ratio / cpi).dropna()
    return productivity, pay


def _growth(series: pd.Series, start: str, end: str) -> float:
    return 100 * (series[pd.Period(end)] / series[pd.Period(start)] - 1)


def test_epi_variant_reproduces_epi(warehouse_ro, snapshot_dir):
    productivity, pay = epi_from_csvs(snapshot_dir)
    row = warehouse_ro.execute(
        "SELECT productivity_growth_pct, pay_growth_pct, gap_ratio "
        "FROM marts.gap_since('1979Q4', 'epi') WHERE period = '2025Q3'"
    ).fetchall()
    assert row, "the epi variant has no 2025Q3 value"
    mart_productivity, mart_pay, ratio = row[0]
    expected_productivity = _growth(productivity, "1979Q4", "2025Q3")
    expected_pay = _growth(pay, "1979Q4", "2025Q3")
    assert mart_productivity == pytest.approx(expected_productivity, abs=1e-9)
    assert mart_pay == pytest.approx(expected_pay, abs=1e-9)
    assert ratio == pytest.approx(expected_productivity / expected_pay, rel=1e-12)
    for ours in (mart_productivity, expected_productivity):
        assert abs(ours - EPI_PUBLISHED_PRODUCTIVITY) <= 0.5
    for ours in (mart_pay, expected_pay):
        assert abs(ours - EPI_PUBLISHED_PAY) <= 0.5


def test_epi_scorecard_and_eras_agree_with_the_csvs(warehouse_ro, snapshot_dir):
    productivity, pay = epi_from_csvs(snapshot_dir)
    claims = warehouse_ro.execute(
        "SELECT metric_id, measured, period FROM marts.claims WHERE claim_id = 'C1'"
    ).df()
    by_metric = {m: (v, p) for m, v, p in claims.itertuples(index=False)}
    last = str(min(productivity.index.max(), pay.index.max()))
    assert by_metric["c1_productivity_growth"][1] == f"1979Q4-{last}"
    assert by_metric["c1_productivity_growth"][0] == pytest.approx(
        _growth(productivity, "1979Q4", last), abs=1e-9
    )
    assert by_metric["c1_pay_growth"][0] == pytest.approx(_growth(pay, "1979Q4", last), abs=1e-9)
    era = warehouse_ro.execute(
        "SELECT productivity_growth_rate, pay_growth_rate, years FROM marts.c1_eras "
        "WHERE variant = 'epi' AND frequency = 'Q' AND start_period = '1979Q4'"
    ).fetchall()[0]
    quarters = pd.Period(last) - pd.Period("1979Q4")
    assert era[2] == pytest.approx(quarters.n / 4)
    for rate, series in ((era[0], productivity), (era[1], pay)):
        total = series[pd.Period(last)] / series[pd.Period("1979Q4")]
        assert rate == pytest.approx(100 * (total ** (4 / quarters.n) - 1), abs=1e-9)


def test_wedges_add_up_to_the_gap_for_every_quarter_and_variant(warehouse_ro):
    frame = warehouse_ro.execute(
        """
        SELECT s.variant, s.frequency, s.period,
               ln(s.productivity_real / b.productivity_real) - ln(s.pay_real / b.pay_real) AS gap,
               (s.labor_share_term - b.labor_share_term) + (s.prices_term - b.prices_term)
               + (s.inequality_term - b.inequality_term) AS wedges
        FROM marts.c1_series s
        JOIN marts.c1_series b ON b.variant = s.variant AND b.frequency = s.frequency
             AND b.date = (SELECT min(date) FROM marts.c1_series m
                           WHERE m.variant = s.variant AND m.frequency = s.frequency
                             AND m.date >= DATE '1979-01-01')
        """
    ).df()
    assert (
        frame["variant"].nunique()
        == warehouse_ro.execute("SELECT count(*) FROM marts.c1_variants").fetchall()[0][0]
    )
    assert len(frame) > 50_000
    worst = (frame["gap"] - frame["wedges"]).abs().max()
    assert worst < 1e-9, frame.loc[(frame["gap"] - frame["wedges"]).abs().idxmax()].to_dict()
    # Same-deflator variants have no prices wedge; a variant whose pay is its sector's mean
    # compensation has no inequality wedge.
    zero = warehouse_ro.execute(
        """
        SELECT max(abs(m.prices_wedge)) FILTER (WHERE m.productivity_prices = 'consumer'),
               max(abs(m.inequality_wedge)) FILTER (
                   WHERE m.productivity = 'nonfarm_business' AND m.pay = 'mean_compensation')
        FROM marts.c1_multiverse m
        """
    ).fetchall()[0]
    assert zero[0] < 1e-12 and zero[1] < 1e-12


def test_multiverse_gaps_match_the_growth_figures(warehouse_ro):
    frame = warehouse_ro.execute("SELECT * FROM marts.c1_multiverse").df()
    implied = np.log1p(frame["productivity_growth_pct"] / 100) - np.log1p(
        frame["pay_growth_pct"] / 100
    )
    assert np.allclose(frame["log_gap"], implied, atol=1e-9, rtol=0)
    same = frame[frame["same_sector"]]
    wedges = same["labor_share_wedge"] + same["prices_wedge"] + same["inequality_wedge"]
    assert np.allclose(same["log_gap"], wedges, atol=1e-9, rtol=0)
    # Across sectors (e.g. total-economy productivity against nonfarm business mean pay) the
    # wedge labels mean nothing: no wedge is reported.
    other = frame[~frame["same_sector"]]
    assert len(other) > 0 and other[["labor_share_wedge", "prices_wedge"]].isna().all().all()
    assert set(other["productivity"]) == {"total_economy_net", "nonfinancial_corporate"}
    assert np.allclose(
        frame["gap_pts"], frame["productivity_growth_pct"] - frame["pay_growth_pct"], atol=1e-9
    )
    # Every combination is present from a base every input covers (2000Q4: the chained CPI
    # starts in December 1999).
    combos = warehouse_ro.execute(
        "SELECT count(*) FROM marts.c1_variants v JOIN marts.c1_measure_catalog c "
        "ON c.dimension = 'productivity' AND c.measure = v.productivity "
        "WHERE NOT v.named AND c.first_quarter IS NOT NULL"
    ).fetchall()[0][0]
    productivity_measures = warehouse_ro.execute(
        "SELECT count(*) FROM marts.c1_measure_catalog "
        "WHERE dimension = 'productivity' AND first_quarter IS NOT NULL"
    ).fetchall()[0][0]
    assert combos == productivity_measures * 2 * 4 * 8
    assert (frame["base_period"] == "2000Q4").sum() == combos
    assert set(frame["base_period"]) == {"1973Q4", "1979Q4", "1989Q4", "2000Q4", "2007Q4"}


def test_bls_labor_share_wedge_matches_the_published_labor_share(warehouse_ro, snapshot_dir):
    # For nonfarm business the labor share term is -ln(COMPNFB / (OPHNFB x IPDNBS)), which BLS
    # publishes as PRS85006173: the wedge must match it to the published rounding.
    share = _by_quarter(_csv(snapshot_dir, "PRS85006173"))
    split = warehouse_ro.execute("SELECT * FROM marts.wedge_split('1979Q4', '2019Q4', 'bls')").df()
    expected = -math.log(share[pd.Period("2019Q4")] / share[pd.Period("1979Q4")])
    assert split.loc[0, "labor_share_wedge"] == pytest.approx(expected, abs=2e-4)
    shares = split.loc[0, ["labor_share_share_pct", "prices_share_pct", "inequality_share_pct"]]
    assert shares.sum() == pytest.approx(100, abs=1e-9)


def test_base_period_as_year_uses_annual_averages(warehouse_ro, snapshot_dir):
    ophnfb = _csv(snapshot_dir, "OPHNFB")
    annual = ophnfb.groupby(ophnfb.index.year).mean()
    row = warehouse_ro.execute(
        "SELECT frequency, productivity_growth_pct FROM marts.gap_since(1973, 'bls') "
        "WHERE period = '2019'"
    ).fetchall()[0]
    assert row[0] == "A"
    assert row[1] == pytest.approx(100 * (annual[2019] / annual[1973] - 1), abs=1e-9)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM marts.gap_since('1950Q1', 'epi')", ["1950Q1", "epi", "1964Q1 to"]),
        ("SELECT * FROM marts.gap_since('1979Q4', 'epy')", ["'epy'", "epi", "bls", "cpi_u_rs"]),
        ("SELECT * FROM marts.gap_since('79', 'epi')", ["'79'", "YYYYQn"]),
        ("SELECT * FROM marts.gap_since('1977Q1', 'epi_pre2024')", ["1977Q1", "1978Q1 to"]),
        ("SELECT * FROM marts.wedge_split('1979Q4', '2030Q1', 'epi')", ["2030Q1", "1979Q4 to"]),
    ],
)
def test_bad_base_or_variant_is_one_clear_line_and_writes_nothing(refreshed, capsys, sql, expected):
    from decoupling import cli

    warehouse = Path(refreshed["settings"].warehouse)
    before = file_sha(warehouse)
    code = cli.main(["query", sql, "--warehouse", str(warehouse)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    for text in expected:
        assert text in err
    assert file_sha(warehouse) == before


def test_metamorphic_scaling_moves_only_what_it_should(refreshed, snapshot_dir, tmp_path):
    from decoupling.pipeline import Options, run_ingest, run_transform

    snap = tmp_path / "snapshot"
    snap.mkdir()
    for path in snapshot_dir.glob("*.csv"):
        shutil.copy(path, snap / path.name)
    scales = {"AHETPI": ("2000-01-01", 1.25), "NIPA_T10705_L30_NDP": ("2010-01-01", 0.8)}
    for series_id, (start, factor) in scales.items():
        frame = pd.read_csv(snap / f"{series_id}.csv", dtype={series_id: float})
        after = pd.to_datetime(frame["observation_date"]) >= pd.Timestamp(start)
        frame.loc[after, series_id] *= factor
        frame.to_csv(snap / f"{series_id}.csv", index=False)
    options = Options(
        snapshots=[str(snap)],
        warehouse=str(tmp_path / "scaled.duckdb"),
        raw_dir=str(tmp_path / "raw"),
        output_dir=str(tmp_path / "out"),
        quiet=True,
    )
    run_ingest(options)
    run_transform(options)

    query = (
        "SELECT s.variant, s.frequency, s.date, s.productivity_real, s.pay_real, "
        "s.labor_share_term, s.prices_term, s.inequality_term, v.productivity, v.pay "
        "FROM marts.c1_series s JOIN marts.c1_variants v USING (variant)"
    )
    with duckdb.connect(str(refreshed["settings"].warehouse), read_only=True) as con:
        base = con.execute(query).df()
    with duckdb.connect(options.warehouse, read_only=True) as con:
        scaled = con.execute(query).df()
    keys = ["variant", "frequency", "date"]
    both = base.merge(scaled, on=keys, suffixes=("", "_s"), validate="one_to_one")
    assert len(both) == len(base) == len(scaled)
    year_start = pd.to_datetime(both["date"])

    pay_hit = both["pay"].isin(["ahe", "ahe_comp_ratio"]) & (year_start >= "2000-01-01")
    pay_ratio = both["pay_real_s"] / both["pay_real"]
    assert np.allclose(pay_ratio[pay_hit], 1.25, rtol=1e-12, atol=0)
    assert np.allclose(pay_ratio[~pay_hit], 1.0, rtol=1e-12, atol=0)
    assert pay_hit.sum() > 1000

    prod_hit = (both["productivity"] == "total_economy_net") & (year_start >= "2010-01-01")
    prod_ratio = both["productivity_real_s"] / both["productivity_real"]
    assert np.allclose(prod_ratio[prod_hit], 0.8, rtol=1e-12, atol=0)
    assert np.allclose(prod_ratio[~prod_hit], 1.0, rtol=1e-12, atol=0)
    assert prod_hit.sum() > 1000

    # The wedges move by exactly the implied logs: NDP moves the labor share, AHE the
    # inequality wedge; prices never move.
    assert np.allclose(
        both["labor_share_term_s"] - both["labor_share_term"],
        np.where(prod_hit, math.log(0.8), 0.0),
        atol=1e-12,
    )
    assert np.allclose(
        both["inequality_term_s"] - both["inequality_term"],
        np.where(pay_hit, -math.log(1.25), 0.0),
        atol=1e-12,
    )
    assert np.allclose(both["prices_term_s"], both["prices_term"], atol=1e-12)


def test_section_draws_four_charts_from_the_marts(warehouse_ro):
    from decoupling.claims import c1_productivity_pay as c1

    section = c1.section(warehouse_ro)
    assert section.available, section.reason
    names = [chart.name for chart in section.charts]
    assert names == ["c1_productivity_pay", "c1_wedges", "c1_multiverse", "c1_base_periods"]
    for chart in section.charts:
        assert chart.svg.startswith("<svg")
        assert not chart.data.empty
        assert "Source:" in chart.source and chart.title
    wedges = section.charts[1].data
    assert wedges["who"].iloc[0].startswith("Bivens & Mishel")
    ours = wedges.iloc[1]
    split = warehouse_ro.execute(
        "SELECT inequality_share_pct FROM marts.wedge_split('1973', '2014', 'epi_output_prices')"
    ).fetchall()[0][0]
    assert ours["inequality"] == pytest.approx(split)
    spec = section.charts[2].data
    assert (
        len(spec)
        == warehouse_ro.execute(
            "SELECT count(*) FROM marts.c1_multiverse WHERE base_period = '1979Q4'"
        ).fetchall()[0][0]
    )
    assert list(spec["gap_pts"]) == sorted(spec["gap_pts"])
    epi = section.context["epi"]
    assert f"{epi['productivity_growth_pct']:.0f}%" in section.charts[0].title


def test_section_without_c1_marts_says_why():
    from decoupling.claims import c1_productivity_pay as c1

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    section = c1.section(con)
    assert not section.available
    assert "c1_series" in section.reason


def test_report_carries_the_c1_section(refreshed):
    html = (Path(refreshed["settings"].output_dir) / "report.html").read_text()
    assert "EPI's method, reproduced" in html
    assert "Bivens &amp; Mishel (2015)" in html
    for name in ("c1_productivity_pay", "c1_wedges", "c1_multiverse", "c1_base_periods"):
        assert (Path(refreshed["settings"].output_dir) / "data" / f"{name}.csv").is_file()
        assert f"data/{name}.csv" in html
