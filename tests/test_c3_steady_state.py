"""C3 steady-state check and the Financial Accounts investment rate (live-only series), on a
hand-made steady state: units (millions -> billions) and the (g + d) / a arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_c4_kalecki import build_warehouse

FIXTURE = Path(__file__).parent / "fixtures" / "steady_state"
SERIES = ["BOGZ1FL105015085Q", "BOGZ1FA105013005Q", "W326RC1Q027SBEA", "B456RC1Q027SBEA"]


def test_steady_state_profit_rate_equals_growth_plus_depreciation_over_investment_rate(tmp_path):
    con = build_warehouse(tmp_path, [FIXTURE], SERIES)
    table = con.execute("SELECT * FROM marts.steady_state ORDER BY date").df()
    assert len(table) == 12 - 5  # a year of growth needs five earlier capital stocks
    assert table["profit_rate"].to_numpy() == pytest.approx(0.20, rel=1e-12)
    assert table["growth"].to_numpy() == pytest.approx(0.04, rel=1e-9)
    assert table["depreciation_rate"].to_numpy() == pytest.approx(0.08, rel=1e-12)
    assert table["investment_rate"].to_numpy() == pytest.approx(0.6, rel=1e-12)
    assert table["steady_state_profit_rate"].to_numpy() == pytest.approx(0.20, rel=1e-9)
    assert table["gap"].abs().max() < 1e-9
    # Capital is the stock at the start of the quarter, in billions.
    first_end = float((FIXTURE / "BOGZ1FL105015085Q.csv").read_text().split()[5].split(",")[1])
    assert table["capital_stock"].iloc[0] == pytest.approx(first_end / 1000)


def test_financial_accounts_investment_rate_is_in_billions(tmp_path):
    con = build_warehouse(tmp_path, [FIXTURE], SERIES)
    rates = con.execute(
        "SELECT definition, min(rate), max(rate), bool_or(mixed_vintage) "
        "FROM marts.investment_rate GROUP BY definition ORDER BY definition"
    ).fetchall()
    by_definition = {r[0]: r[1:] for r in rates}
    assert set(by_definition) == {"nfc_fa_gross", "nfc_fa_net"}
    low, high, mixed = by_definition["nfc_fa_gross"]
    assert low == pytest.approx(0.6) and high == pytest.approx(0.6)
    assert not mixed  # one folder, one data end: one release
    # Net: (I - CFC) / NOS = (0.6 * 0.2 - 0.08) / 0.12
    assert by_definition["nfc_fa_net"][0] == pytest.approx((0.12 - 0.08) / 0.12)
    avail = con.execute(
        "SELECT available FROM marts.availability_c3_c5 WHERE analysis = 'steady_state'"
    ).fetchall()
    assert avail == [(True,)]


def test_report_section_draws_the_steady_state(tmp_path):
    from decoupling.claims import c3_investment_rate as c3

    con = build_warehouse(tmp_path, [FIXTURE], SERIES)
    section = c3.section(con)
    assert section.available
    names = [chart.name for chart in section.charts]
    assert names == ["c3_investment_rate", "c3_investment_rate_definitions", "c3_steady_state"]
    steady = section.charts[-1]
    assert "differ by 0.0 points" in steady.title
    assert len(steady.data) == 7 and steady.data["gap"].abs().max() < 1e-9
    # The Financial Accounts definition is the headline when it is held.
    assert section.charts[0].data["series_ids"].iloc[0].startswith("BOGZ1FA105013005Q")
