"""How the C1 headline gap changed as the data were revised (ALFRED vintages, on request)."""

from __future__ import annotations

import duckdb

from decoupling.report import style
from decoupling.report.sections import Chart, Section

ORDER = 80


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        id="Vintages",
        title="The C1 gap as the data were revised",
        template="c1_productivity_pay_vintages.html.j2",
    )
    try:
        data = con.execute(
            "SELECT * FROM marts.c1_gap_vintages WHERE gap_pts IS NOT NULL ORDER BY vintage_date"
        ).df()
    except duckdb.CatalogException:
        data = None
    if data is None or data.empty:
        section.available = False
        section.reason = (
            "no ALFRED vintages pulled; with FRED_API_KEY set, run 'decoupling vintages'"
        )
        return section
    first, last = data.iloc[0], data.iloc[-1]
    fig, ax = style.new_figure()
    ax.plot(data["vintage_date"], data["productivity_growth_pct"], marker="o", label="Productivity")
    ax.plot(
        data["vintage_date"], data["compensation_growth_pct"], marker="o", label="Real compensation"
    )
    ax.plot(data["vintage_date"], data["gap_pts"], marker="o", label="Gap (points)")
    ax.set_xlabel("Vintage (date the data were in force)")
    ax.set_ylabel("Growth since 1979Q4, percent")
    title = (
        f"As published, the gap went from {first['gap_pts']:.0f} points "
        f"({first['vintage_date']:%Y-%m}) to {last['gap_pts']:.0f} ({last['vintage_date']:%Y-%m})"
    )
    style.title(ax, title)
    style.legend_right(ax)
    fig.tight_layout()
    source = (
        f"Source: ALFRED real-time vintages of OPHNFB and COMPRNFB (BLS via FRED), "
        f"{len(data)} vintages {first['vintage_date']:%Y-%m-%d} to {last['vintage_date']:%Y-%m-%d}."
    )
    style.add_source(fig, source)
    section.charts.append(
        Chart(name="c1_gap_vintages", title=title, svg=style.to_svg(fig), data=data, source=source)
    )
    return section
