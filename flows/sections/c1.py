"""Claim C1: the productivity-pay gap."""

from __future__ import annotations

import duckdb

from flows import style
from flows.sections import Chart, Section

ORDER = 10


def _source_line(con: duckdb.DuckDBPyConnection, ids: list[str]) -> str:
    rows = con.execute(
        """
        SELECT series_id, max(last_date) FROM meta.downloads
        WHERE series_id IN (SELECT unnest(?)) GROUP BY series_id ORDER BY series_id
        """,
        [ids],
    ).fetchall()
    held = ", ".join(f"{sid} to {last:%Y-%m}" for sid, last in rows if last)
    return f"Source: BLS and BEA via FRED ({held})."


def build(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(id="C1", title="The productivity-pay gap", template="c1.html.j2")
    data = con.execute(
        "SELECT * FROM marts.productivity_pay WHERE date >= DATE '1979-10-01' ORDER BY date"
    ).df()
    if data.empty or data["productivity"].isna().all():
        section.available = False
        section.reason = "productivity or pay series not available"
        return section
    last = data.dropna().iloc[-1]
    gap = last["productivity"] - last["real_ahe_cpiu"]
    fig, ax = style.new_figure()
    ax.plot(data["date"], data["productivity"], label="Productivity (nonfarm business)")
    ax.plot(data["date"], data["real_compensation"], label="Real mean hourly compensation")
    ax.plot(data["date"], data["real_ahe_cpiu"], label="Real typical hourly earnings (CPI-U)")
    ax.axhline(100, color="#888888", linewidth=0.8)
    ax.set_ylabel("Index, 1979Q4 = 100")
    ax.set_xlabel("Quarter")
    title = f"Productivity ran {gap:.0f} index points ahead of typical pay by {last['date']:%Y}"
    ax.set_title(title)
    ax.legend(loc="upper left")
    source = _source_line(con, ["OPHNFB", "COMPRNFB", "AHETPI", "CPIAUCSL"])
    style.add_source(fig, source)
    section.charts.append(
        Chart(
            name="c1_productivity_pay", title=title, svg=style.to_svg(fig), data=data, source=source
        )
    )
    section.context["latest"] = last.to_dict()
    return section
