"""The independent recomputations of C2/C5/C6/C7 (tests/independent/new_claims.py) against
published figures and accounting identities. Real data: skipped without the shared snapshot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

try:  # tests/ is on sys.path under pytest's rootdir conftest; the repo root under `python -m`
    from independent import new_claims as nc
except ImportError:  # pragma: no cover - depends on how the suite is started
    from tests.independent import new_claims as nc

REPO = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO / ".." / "shared" / "fred-snapshot"
EXTRA_LINKS = REPO / "tests" / "fixtures" / "indep2" / "soc_extra_links.csv"


@pytest.fixture(scope="module")
def snapshot() -> Path:
    if not (SNAPSHOT / "raw" / "FRED-MD_2025-08-vintage.csv").is_file():
        pytest.skip(
            f"the shared snapshot is not at {SNAPSHOT.resolve()} (these tests read real data)"
        )
    return SNAPSHOT


@pytest.fixture(scope="module")
def payrolls(snapshot: Path) -> dict:
    return nc.c6_payroll_shares(snapshot)


@pytest.fixture(scope="module")
def polar(snapshot: Path) -> dict:
    return {
        (base, bins): nc.polarisation(snapshot, base, bins=bins)
        for base in (2008, 2013)
        for bins in (5, 10)
    }


# --- C6 payroll shares: the orientation figures in CLAIMS.md ---------------------------------


def test_c6_service_share_matches_published_orientation(payrolls: dict) -> None:
    assert payrolls["services_1979"] == pytest.approx(72.2, abs=0.3)
    assert payrolls["services_2024"] == pytest.approx(86.3, abs=0.3)


def test_c6_manufacturing_share_matches_published_orientation(payrolls: dict) -> None:
    assert payrolls["manufacturing_1979"] == pytest.approx(21.6, abs=0.3)
    assert payrolls["manufacturing_2024"] == pytest.approx(8.1, abs=0.3)


def test_c6_annual_shares_are_complete_years_and_percentages(payrolls: dict) -> None:
    annual = payrolls["annual"]
    assert payrolls["first_year"] == 1959 and payrolls["last_year"] == 2024  # 2025 is partial
    assert annual["services_pct"].between(0, 100).all()
    # manufacturing is part of goods-producing, so never above 100 - services
    assert (annual["manufacturing_pct"] < 100 - annual["services_pct"]).all()


def test_c6_era_slope_ci_brackets_the_slope(payrolls: dict) -> None:
    for stats in payrolls["eras"].values():
        assert stats["ci_low"] < stats["slope_per_decade"] < stats["ci_high"]
    # the services slope in 1980-2007 is positive and significant: the CI excludes zero
    assert payrolls["eras"][("services_pct", "1980-2007")]["ci_low"] > 0


# --- C6 OEWS major groups ---------------------------------------------------------------------


def test_c6_oews_shares_between_zero_and_one(snapshot: Path) -> None:
    table = nc.c6_oews_groups(snapshot)
    assert table["emp_share"].between(0, 1).all()
    assert set(table["year"]) == set(nc.OEWS_YEARS)
    combined = table[table["title"] == "combined"].set_index("year")["emp_share"]
    parts = table[table["title"] != "combined"].groupby("year")["emp_share"].sum()
    assert (combined - parts).abs().max() < 1e-12


def test_barber_wage_matches_the_snapshots_own_series(snapshot: Path) -> None:
    """The workbook reader against the separately assembled per-series CSV of 39-5011."""
    series = nc.read_series(snapshot / "oews" / "OEWS_395011_H_MEAN.csv")
    for year in (2008, 2013, 2019, 2024):
        book = nc.read_oews(snapshot, year)
        value = book.loc[book["code"] == "39-5011", "h_mean"].iloc[0]
        assert value == pytest.approx(series[pd.Timestamp(year, 1, 1)])


def test_barber_median_2023_matches_published(snapshot: Path) -> None:
    """BLS OEWS May 2023: barbers' national median hourly wage $17.38 (CLAIMS.md C2)."""
    book = nc.read_oews(snapshot, 2023)
    assert book.loc[book["code"] == "39-5011", "h_median"].iloc[0] == pytest.approx(17.38)


# --- C7 polarisation ------------------------------------------------------------------------


def test_quintile_changes_sum_to_minus_the_change_in_unassigned(polar: dict) -> None:
    for result in polar.values():
        table = result["table"]
        total = table["change_pp"].sum()
        expected = 100 * (result["unassigned_base_share"] - result["unassigned_end_share"])
        assert total == pytest.approx(expected, abs=1e-9)
        assert table["change_pp_within_linked"].sum() == pytest.approx(0, abs=1e-9)


def test_quantile_shares_are_fractions_and_about_equal(polar: dict) -> None:
    for (_base, bins), result in polar.items():
        table = result["table"]
        assert list(table.index) == list(range(1, bins + 1))
        assert table[["base_share", "end_share"]].stack().between(0, 1).all()
        assert 0 < result["unassigned_base_share"] < 1
        # quantiles are cut on linked base employment: each holds close to 1/bins of it
        within = table["base_emp"] / table["base_emp"].sum()
        assert within.between(0.7 / bins, 1.3 / bins).all()
        # wage ranges are ordered: each quantile starts at or above the previous one's top
        assert (table["wage_low"].to_numpy()[1:] >= table["wage_high"].to_numpy()[:-1]).all()


def test_no_base_employment_is_dropped_silently(snapshot: Path, polar: dict) -> None:
    """Quantile + unlinked + unranked employment = all detailed base-year employment."""
    for (base, _bins), result in polar.items():
        book = nc.read_oews(snapshot, base)
        total = book.loc[book["code"] == "00-0000", "emp"].iloc[0]
        detailed = book.loc[book["group"] == "detailed", "emp"].sum()
        accounted = result["table"]["base_emp"].sum() + total * (
            result["unlinked_base_emp_share"] + result["unranked_base_emp_share"]
        )
        assert accounted == pytest.approx(detailed, rel=1e-9)
        assert 0 < result["unlinked_base_emp_share"] < 0.5


def test_crosswalk_variant_links_more_employment(snapshot: Path, polar: dict) -> None:
    extra = nc.read_extra_links(EXTRA_LINKS)
    variant = nc.polarisation(snapshot, 2008, extra_links=extra)
    assert variant["unlinked_base_emp_share"] < polar[(2008, 5)]["unlinked_base_emp_share"]
    assert variant["links"].get("crosswalk", 0) > 0


def test_title_links_join_identical_titles_only() -> None:
    base = pd.DataFrame(
        {
            "code": ["00-0000", "11-1111", "22-2222", "33-3333"],
            "title": ["All", "Barbers", "Old Title", "Gone"],
            "group": ["total", "detailed", "detailed", "detailed"],
        }
    )
    end = pd.DataFrame(
        {
            "code": ["00-0000", "11-1111", "22-9999", "44-4444"],
            "title": ["All", "Barbers", "old  title.", "New"],
            "group": ["total", "detailed", "detailed", "detailed"],
        }
    )
    pairs = nc.link_occupations(base, end).set_index("base_code")
    assert pairs.loc["11-1111", "how"] == "code"
    assert (pairs.loc["22-2222", "end_code"], pairs.loc["22-2222", "how"]) == ("22-9999", "title")
    assert pairs.loc["33-3333", "how"] == "unlinked"


# --- C5 asset values --------------------------------------------------------------------------


def test_c5_household_net_worth_level_matches_fed_z1(snapshot: Path) -> None:
    """Undoing the core-PCE deflation gives the Fed Z.1 2025Q2 household net worth, $176.3tn."""
    result = nc.c5_asset_values(snapshot)
    level = result["series"]["hh_nw_nominal_bn"].iloc[-1]
    assert result["last"] == "2025Q2"
    assert level == pytest.approx(176_300, rel=0.005)


def test_c5_nominal_gdp_matches_fred_gdp(snapshot: Path) -> None:
    """GDPC1 x GDPCTPI / 100 against the separately downloaded FRED GDP (another vintage)."""
    result = nc.c5_asset_values(snapshot)
    gdp = nc.read_series(snapshot / "fred_2025-09" / "GDP.csv")
    gdp.index = gdp.index.to_period("Q")
    both = pd.concat([result["series"]["gdp_nominal_bn"], gdp], axis=1, join="inner").dropna()
    assert len(both) > 40
    assert ((both.iloc[:, 0] / both.iloc[:, 1] - 1).abs() < 0.006).all()


def test_c5_ratios_are_positive_and_nwpix_is_built_from_real_columns(snapshot: Path) -> None:
    result = nc.c5_asset_values(snapshot)
    frame = result["series"]
    assert (frame[["hh_nw_dpi_pct", "nfc_nw_gdp_pct"]] > 0).all().all()
    assert result["nwpix_max_abs_gap_to_rebuilt"] < 1e-3
    assert result["first"] == "1979Q1"


# --- C2 services side -------------------------------------------------------------------------


def test_c2_tv_price_fell_as_published(snapshot: Path) -> None:
    """Perry's chart: CPI televisions about -97% from 2000 to 2020 (snapshot ends 2019)."""
    result = nc.c2_services(snapshot)
    assert result["tv_last_year"] == 2019
    assert -98.5 < result["tv_change_pct"] < -95.0
    assert result["rel_tv_factor"] > 20


def test_c2_time_price_is_price_over_wage(snapshot: Path) -> None:
    result = nc.c2_services(snapshot)
    implied = 100 * (
        (1 + result["segc_change_pct"] / 100) / (1 + result["ahetpi_change_pct"] / 100) - 1
    )
    assert result["time_price_change_pct"] == pytest.approx(implied)
    assert result["last_full_year"] == 2022  # CUUR0000SEGC ends 2023-11


# --- bad input ------------------------------------------------------------------------------


def test_bad_value_names_file_column_and_line(tmp_path: Path) -> None:
    path = tmp_path / "X.csv"
    path.write_text("observation_date,X\n2000-01-01,1.5\n2000-02-01,abc\n")
    with pytest.raises(nc.SnapshotError) as info:
        nc.read_series(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message and "column X" in message and "line 3" in message


def test_bad_fred_md_date_names_the_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "FRED-MD_2025-08-vintage.csv").write_text(
        "sasdate,PAYEMS\nTransform:,5\n1/1/1959,100\n13/1/1959,101\n"
    )
    with pytest.raises(nc.SnapshotError, match=r"column sasdate, line 4"):
        nc.read_fred_md(tmp_path)
