"""Claim C7: automation hits the middle of the wage ladder. Report section: the change in
employment share by base-year wage percentile, drawn as the polarisation literature draws it."""

from __future__ import annotations

import duckdb

from decoupling.report import style
from decoupling.report.sections import Chart, Section, records

ORDER = 70
SPECS = (  # (base year: first or 2013, link rule, line style, label)
    ("first", "title", "-", "code or title links"),
    ("2013", "title", "-", "code or title links"),
    ("first", "crosswalk", "--", "plus hand SOC crosswalk (alternative)"),
)


def _chart(con: duckdb.DuckDBPyConnection) -> Chart | None:
    deciles = con.execute(
        "SELECT * FROM marts.c7_polarisation WHERE bins = 10 AND ranking = 'mean' "
        "ORDER BY base_year, link_rule, quantile"
    ).df()
    if deciles.empty:
        return None
    first = int(deciles["base_year"].min())
    fig, ax = style.new_figure()
    for colour, (which, rule, line, label) in enumerate(SPECS):
        base = first if which == "first" else int(which)
        part = deciles[(deciles["base_year"] == base) & (deciles["link_rule"] == rule)]
        if part.empty:
            continue
        ax.plot(
            part["percentile_mid"],
            part["change_pp"],
            line,
            marker="o",
            color=style.PALETTE[colour],
            label=f"{base}-{int(part['end_year'].iloc[0])}, {label}",
        )
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel("Occupation's wage percentile in the base year (employment-weighted deciles)")
    ax.set_ylabel("Change in share of all employment, pp")
    head = deciles[(deciles["base_year"] == first) & (deciles["link_rule"] == "title")]
    top = float(head["change_pp"].iloc[-1])
    title = (
        f"The best-paid tenth of jobs gained {top:+.1f} pp of employment since {first}; "
        "the middle and the bottom lost"
        if top > 0
        else f"The best-paid tenth of jobs lost {top:.1f} pp of employment since {first}"
    )
    style.title(ax, title)
    style.legend_above(ax)
    fig.tight_layout()
    source = (
        "Source: BLS OEWS national May estimates (employment and mean hourly wage by detailed "
        "occupation; excludes the self-employed)."
    )
    style.add_source(fig, source)
    return Chart("c7_polarisation", title, style.to_svg(fig), deciles, source)


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        id="C7",
        title="Automation hits the middle of the wage ladder",
        template="c7_wage_polarisation.html.j2",
    )
    chart = _chart(con)
    if chart is None:
        section.available = False
        section.reason = "fewer than two OEWS national workbooks are held (OEWS_NATIONAL)"
        return section
    section.charts.append(chart)
    quintiles = con.execute(
        "SELECT * FROM marts.c7_polarisation WHERE bins = 5 ORDER BY base_year, link_rule, "
        "ranking, quantile"
    ).df()
    section.context.update(
        quintiles=records(quintiles),
        coverage=records(con.execute("SELECT * FROM marts.c7_coverage").df()),
        values=records(con.execute("SELECT * FROM marts.claims_c7").df()),
    )
    return section
