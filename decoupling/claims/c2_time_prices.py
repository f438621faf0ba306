"""Claim C2: barber-hours per TV, and the chart of the century (time prices)."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
from matplotlib.ticker import MaxNLocator

from decoupling.report import style
from decoupling.report.sections import Chart, Section, records

ORDER = 20
LINESTYLES = ["-", "--", "-.", ":"]


def _held(con: duckdb.DuckDBPyConnection, ids: list[str]) -> str:
    """'ID to YYYY-MM (vintage)' for each series held, for the source line."""
    rows = con.execute(
        """
        SELECT series_id, max(last_date), arg_max(vintage, accessed_at) FROM meta.downloads
        WHERE series_id IN (SELECT unnest(?)) GROUP BY series_id ORDER BY series_id
        """,
        [ids],
    ).fetchall()
    return "; ".join(f"{sid} to {last:%Y-%m}" for sid, last, _vintage in rows if last)


def _oews_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    rows = con.execute(
        "SELECT DISTINCT year FROM staging.oews_wages WHERE soc = '39-5011' ORDER BY year"
    ).fetchall()
    return [r[0] for r in rows]


def _spans(years: list[int]) -> str:
    """[2008, 2013, 2014, 2015] -> '2008, 2013-2015'."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    spans_text = [str(a) if a == b else f"{a}-{b}" for a, b in spans]
    return ", ".join(spans_text)


def _finish(fig, ax, source: str) -> None:
    """Whole-year ticks, the legend's room inside the figure, and the source line (once: the
    report's caption does not repeat it)."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    style.add_source(fig, source)


def _readable(label: str) -> str:
    """A category label without the catalog's notes to itself ("unverified id")."""
    return re.sub(r"\s*\([^)]*unverified id\)", "", label)


def _barber_chart(con: duckdb.DuckDBPyConnection, data: pd.DataFrame, oews: str) -> Chart:
    fig, ax = style.new_figure()
    lines = [
        ("hours_mean", "Barbers, OEWS national mean wage", "o"),
        ("hours_median", "Barbers, OEWS national median wage", "s"),
        ("hours_ahetpi", "Proxy: typical hourly earnings (AHETPI)", None),
    ]
    if data["hours_ny_mean"].notna().any():
        lines.insert(0, ("hours_ny_mean", "Barbers, New York metro mean wage", "^"))
    for column, label, marker in lines:
        ax.plot(data["year"], data[column], label=label, marker=marker, markersize=3.5)
    ax.plot(
        data["year"],
        data["claim_hours"],
        label="The claim: 200 to 25 hours",
        color="#000000",
        linestyle="--",
        linewidth=1.2,
    )
    ax.set_yscale("log")
    style.plain_log_axis(ax.yaxis)
    ax.set_ylabel("Hours of work per TV (log scale)")
    ax.set_xlabel("Year (OEWS: May)")
    both = data.dropna(subset=["hours_mean"])
    first, last = both.iloc[0], both.iloc[-1]
    anchor = data["anchor_year"].iloc[0]
    price = data["anchor_price"].iloc[0]
    title = (
        f"A constant-quality TV fell from {first['hours_mean']:.0f} to {last['hours_mean']:.0f} "
        f"barber-hours, {int(first['year'])}-{int(last['year'])}"
    )
    style.title(ax, title)
    style.legend_right(ax, columns=24)
    tv = data["tv_series_id"].dropna().iloc[0]
    source = (
        f"Source: BLS CPI televisions ({tv}) anchored to ${price:,.0f} in {anchor}; BLS OEWS "
        f"39-5011 (May {oews}; no file 2009-2012); AHETPI via FRED. Held: "
        f"{_held(con, [tv, 'AHETPI', 'OEWS_NATIONAL'])}. Gaps are not interpolated."
    )
    _finish(fig, ax, source)
    return Chart("c2_barber_hours_per_tv", title, style.to_svg(fig), data, source)


def _century_charts(con: duckdb.DuckDBPyConnection, century: pd.DataFrame) -> list[Chart]:
    ids = sorted(century["series_id"].unique())
    held = _held(con, ids)
    last_year = century.loc[century["role"] != "earnings", "year"].max()
    charts = []
    for column, name, ylabel in (
        ("pct_change_since_2000", "c2_century_prices", "Change in money price since 2000, %"),
        (
            "time_price_index",
            "c2_century_time_prices",
            "Hours of typical work per unit, 2000 = 100",
        ),
    ):
        fig, ax = style.new_figure(figsize=(7.2, 4.8))
        frame = century.dropna(subset=[column])
        order = (
            frame.sort_values("year").groupby("label")[column].last().sort_values(ascending=False)
        )
        for index, label in enumerate(order.index):
            rows = frame[frame["label"] == label]
            role = rows["role"].iloc[0]
            kwargs = {"linestyle": LINESTYLES[index // 8 % 4], "linewidth": 1.5}
            if role == "earnings":
                kwargs = {"color": "#000000", "linewidth": 2.6}
            elif role == "context":
                kwargs = {"color": "#999999", "linestyle": ":", "linewidth": 1.2}
            ax.plot(rows["year"], rows[column], label=_readable(label), **kwargs)
        if column == "time_price_index":
            ax.axhline(100, color="#888888", linewidth=0.8)
        else:
            ax.axhline(0, color="#888888", linewidth=0.8)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("Year (annual average)")
        tv = frame[frame["category"] == "Televisions"].sort_values("year")
        ahe = century[century["role"] == "earnings"].sort_values("year")
        if column == "pct_change_since_2000" and not tv.empty:
            tv_end = tv.iloc[-1]
            ahe_then = ahe[ahe["year"] == tv_end["year"]][column]
            title = (
                f"TV prices fell {-tv_end[column]:.0f}% from 2000 to {int(tv_end['year'])} while "
                f"hourly earnings rose {ahe_then.iloc[0]:.0f}%"
            )
        elif not tv.empty:
            tv_end = tv.iloc[-1]
            dearer = [
                label.split(" (")[0].lower()
                for label, value in order.items()
                if value > 100 and frame.loc[frame["label"] == label, "role"].iloc[0] == "category"
            ]
            title = (
                f"A TV cost {100 - tv_end[column]:.0f}% fewer hours of typical work in "
                f"{int(tv_end['year'])} than in 2000"
                + (f"; {' and '.join(dearer[:2])} cost more hours" if dearer else "")
            )
        else:
            title = "CPI categories against average hourly earnings since 2000"
        style.title(ax, title)
        style.legend_right(ax, columns=26)
        source = (
            f"Source: BLS CPI-U item indexes and AHETPI via FRED (snapshot items: 2000-2019, "
            f"rebased Jan 2000 = 100; categories end where their data end, latest {last_year}). "
            f"Held: {held}."
        )
        _finish(fig, ax, source)
        charts.append(Chart(name, title, style.to_svg(fig), frame, source))
    return charts


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        id="C2", title="Barber-hours per TV: time prices", template="c2_time_prices.html.j2"
    )
    data = con.execute("SELECT * FROM marts.barber_tv_hours ORDER BY year").df()
    if data.empty or data["hours_mean"].isna().all():
        section.available = False
        section.reason = "no year holds both a CPI television price and an OEWS barber wage"
        return section
    oews_years = _oews_years(con)
    oews = _spans(oews_years)
    section.charts.append(_barber_chart(con, data, oews))
    section.charts.extend(services_charts(con))  # the Baumol side (issue 14)
    century = con.execute("SELECT * FROM marts.century_prices ORDER BY role, label, year").df()
    if not century.empty:
        section.charts.extend(_century_charts(con, century))
    claims = con.execute(
        "SELECT metric, claimed, measured, period, verdict, detail FROM marts.claims "
        "WHERE claim_id = 'C2' ORDER BY position"
    ).df()
    tv = data.dropna(subset=["tv_price"])
    unavailable = con.execute(
        """
        SELECT series_id, reason FROM meta.availability
        WHERE NOT available AND series_id IN (SELECT id FROM meta.series WHERE analyses LIKE '%C2%')
        ORDER BY series_id
        """
    ).fetchall()
    section.context.update(
        {
            "anchor_year": int(data["anchor_year"].iloc[0]),
            "anchor_price": float(data["anchor_price"].iloc[0]),
            "anchor_note": data["anchor_note"].iloc[0],
            "tv_series": tv["tv_series_id"].iloc[0] if not tv.empty else None,
            "tv_years": f"{int(tv['year'].min())}-{int(tv['year'].max())}" if len(tv) else "",
            "oews_years": oews,
            "ny_years": _spans(
                [int(y) for y in data.dropna(subset=["barber_wage_ny_mean"])["year"]]
            ),
            "both_years": _spans([int(y) for y in data.dropna(subset=["hours_mean"])["year"]]),
            "claims": claims.to_dict("records"),
            "unavailable": unavailable,
            "table": data[
                [
                    "year",
                    "tv_price",
                    "barber_wage_mean",
                    "barber_wage_median",
                    "hours_mean",
                    "hours_ahetpi",
                    "claim_hours",
                ]
            ].pipe(records),
        }
    )
    return section


def services_charts(con: duckdb.DuckDBPyConnection) -> list[Chart]:
    """The services side: personal care prices against pay, goods and all items since 2000."""
    from decoupling.report.sections import source_line  # kept local: an additive function

    data = con.execute("SELECT * FROM marts.services_prices WHERE year >= 2000 ORDER BY year").df()
    base = data[data["year"] == 2000]
    if base.empty:
        return []
    fig, ax = style.new_figure()
    lines = (
        ("time_price", "in hours of average pay (AHETPI)"),
        ("rel_goods", "relative to goods (CPI commodities)"),
        ("rel_all", "relative to all items (CPI-U)"),
    )
    for column, label in lines:
        ax.plot(data["year"], 100 * data[column] / base[column].iloc[0], label=label)
    ax.axhline(100, color="#555555", linewidth=0.8)
    ax.set_ylabel("Index, 2000 = 100")
    ax.set_xlabel("Year")
    style.legend_above(ax)
    what = (
        "Haircuts" if data["services_series"].iloc[0].endswith("01") else "Personal care services"
    )
    last = data.dropna(subset=["rel_goods"]).iloc[-1] if data["rel_goods"].notna().any() else None
    title = (
        f"{what} got {100 * (last['rel_goods'] / base['rel_goods'].iloc[0] - 1):+.0f}% dearer "
        f"than goods since 2000, yet cheaper in hours of average pay"
        if last is not None
        else f"{what}: prices against pay since 2000"
    )
    style.title(ax, title)
    fig.tight_layout()
    source = source_line(
        con,
        [data["services_series"].iloc[0], "AHETPI", "CPIAUCSL", "FREDMD_CUSR0000SAC"],
        "Source: BLS CPI and CES via FRED and FRED-MD, annual averages",
    )
    style.add_source(fig, source)
    return [Chart("c2_services_prices", title, style.to_svg(fig), data, source)]
