"""Claim C4: Kalecki's profit identity, its components as shares of GDP, and its residual."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from decoupling.report import style
from decoupling.report.sections import (
    Chart,
    Section,
    claim_section,
    mark_unavailable,
    records,
    source_line,
)

ORDER = 40
# Terms as they enter profits after tax (sign applied), in stacking order.
TERMS = (
    ("net_investment_pct_gdp", 1, "Net investment"),
    ("dividends_pct_gdp", 1, "Dividends"),
    ("household_saving_pct_gdp", -1, "- Household saving"),
    ("government_foreign_saving_pct_gdp", -1, "- Government + foreign saving"),
    ("statistical_discrepancy_pct_gdp", -1, "- Statistical discrepancy"),
)


def _stacked(ax, dates: pd.Series, terms: dict[str, np.ndarray]) -> None:
    """Positive parts stack up from zero, negative parts down, each term in one colour."""
    colours = style.PALETTE[: len(terms)]
    positive = [np.clip(v, 0, None) for v in terms.values()]
    negative = [np.clip(v, None, 0) for v in terms.values()]
    ax.stackplot(dates, *positive, colors=colours, labels=list(terms), alpha=0.85)
    ax.stackplot(dates, *negative, colors=colours, alpha=0.85)


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section, avail = claim_section(
        con, "C4", "Kalecki's profit equation", "c4_kalecki_profits.html.j2"
    )
    data = con.execute("SELECT * FROM marts.kalecki ORDER BY date").df()
    if data.empty:
        return mark_unavailable(section, avail, "the identity's series are missing")
    path = data["path"].iloc[-1]
    full = path == "full"
    residual_col = "identity_residual_pct_gdp" if full else "discrepancy_check_pct_gdp"
    terms = {
        (
            label
            if full or "foreign" not in label
            else label + " (remainder, net of public investment)"
        ): sign * data[col].to_numpy(dtype=float)
        for col, sign, label in TERMS
    }
    fig, (top, bottom) = style.new_figure(
        nrows=2, sharex=True, gridspec_kw={"height_ratios": [3, 1]}, figsize=(7.2, 5.2)
    )
    _stacked(top, data["date"], terms)
    top.plot(data["date"], data["profits_pct_gdp"], color="#000000", label="Profits after tax")
    top.axhline(0, color="#555555", linewidth=0.8)
    top.set_ylabel("% of GDP")
    top.xaxis.set_visible(False)  # shares the lower panel's quarter axis
    style.legend_right(top, columns=24)
    bottom.plot(data["date"], data[residual_col], color="#D55E00", linewidth=1.2)
    bottom.axhline(0, color="#555555", linewidth=0.8)
    bottom.set_ylabel("% of GDP")
    bottom.set_xlabel("Quarter")
    bottom.set_title(
        "Identity residual" if full else "Input check: GDP - GDI - statistical discrepancy",
        fontsize=8.5,
    )
    recent = data[data["date"] > data["date"].max() - pd.DateOffset(years=10)]
    gov_share = float((-recent["government_foreign_saving"] / recent["profits_after_tax"]).mean())
    term = "Government and foreign dissaving" if full else "The government + foreign term"
    title = (
        f"{term} carried {100 * gov_share:.0f}% of profits after tax, last ten years"
        if gov_share > 0
        else f"{term} took {100 * -gov_share:.0f}% off profits after tax, last ten years"
    )
    style.title(top, title)
    fig.tight_layout()
    ids = (["W170RC1Q027SBEA", "TGDEF", "NETFI"] if full else ["GPDI"]) + [
        "CPATAX",
        "COFC",
        "PSAVE",
        "DIVIDEND",
        "A030RC1Q027SBEA",
        "GDP",
        "GDI",
    ]
    path_note = (
        "all terms measured"
        if full
        else "government + foreign saving is the remainder that closes the identity"
    )
    source = source_line(con, ids, f"Source: BEA NIPA via FRED; path {path} ({path_note})")
    style.add_source(fig, source)
    columns = ["date", "path", "profits_pct_gdp"] + [c for c, _, _ in TERMS]
    columns += ["identity_residual_pct_gdp", "discrepancy_check_pct_gdp", "mixed_vintage"]
    section.charts.append(
        Chart("c4_kalecki_components", title, style.to_svg(fig), data[columns], source)
    )
    decades = con.execute("SELECT * FROM marts.kalecki_decades ORDER BY decade, path").df()
    section.context["decades"] = records(decades)
    worst = data.loc[data["discrepancy_check_pct_gdp"].abs().idxmax()]
    section.context.update(
        path=path,
        full=full,
        mixed=bool(data["mixed_vintage"].any()),
        releases=data["releases"].iloc[-1],
        max_residual=float(data["identity_residual_pct_gdp"].abs().max()) if full else None,
        max_check=float(abs(worst["discrepancy_check_pct_gdp"])),
        max_check_billions=float(abs(worst["discrepancy_check"])),
        worst_date=worst["date"],
    )
    return section
