"""Claim C1: the productivity-pay gap, every defensible measure side by side.

The numbers come from the C1 marts (marts.gap_since, marts.c1_multiverse, marts.wedge_split,
marts.c1_eras); this module only selects and draws them.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from decoupling.report import style
from decoupling.report.sections import Chart, Section

ORDER = 10

# Published reference figures, shown labelled as theirs (docs/methods.md), never as our output.
BIVENS_MISHEL_2015 = {
    "window": "1973-2014",
    "shares_pct": {"inequality": 58.9, "labor_share": 11.5, "prices": 29.6},
}
EPI_PUBLISHED = {
    "productivity_pct": 90.2,
    "pay_pct": 33.0,
    "window": "1979q4-2025q3",
    "eras": "1948-79: productivity 2.5% vs pay 2.1% a year; 1979-2025: 1.4% vs 0.6%",
}

BASE = "1979Q4"
PEAKS = ["1973Q4", "1979Q4", "1989Q4", "2000Q4", "2007Q4"]
# Pay lines of the indexed chart: all deflated by EPI's extended chained CPI, so they compare.
PAY_LINES = {
    "epi": "Typical compensation (EPI: production/nonsupervisory wages x comp/wage ratio)",
    "total_economy_net|consumer|mean_compensation|epi_cpi": "Mean hourly compensation",
    "total_economy_net|consumer|ahe|epi_cpi": "Production/nonsupervisory hourly earnings",
    "total_economy_net|consumer|median_weekly|epi_cpi": "Median weekly earnings (full time)",
}
NAMED_FOR_BASES = ["epi", "epi_pre2024", "bls", "feldstein", "typical_cpi_u", "median_weekly"]
# The wedge split on Bivens & Mishel's setup, one BEA vintage, mean pay per employee hour; the
# extended-CPI framing where the BEA workbook or the employee hours are not held (e.g. a bundle).
WEDGE_VARIANTS = ("epi_pre2024_one_vintage", "epi_output_prices")
WEDGES = [
    ("inequality", "Inequality (mean comp / typical pay)"),
    ("labor_share", "Labor share"),
    ("prices", "Prices (consumer vs output)"),
]
# Readable names for the measurement choices and named variants (chart labels never show code names).
CHOICE_LABELS = {
    "productivity": "Productivity",
    "productivity_prices": "Productivity prices",
    "pay": "Pay",
    "deflator": "Deflator",
}
OPTION_LABELS = {
    "nonfarm_business": "nonfarm business",
    "total_economy_net": "total economy, net",
    "nonfinancial_corporate": "nonfinancial corporations",
    "consumer": "consumer prices",
    "output": "own output prices",
    "mean_compensation": "mean compensation",
    "median_weekly": "median weekly earnings",
    "ahe_comp_ratio": "prod./nonsup. pay with benefits",
    "ahe": "prod./nonsup. hourly earnings",
    "nonfarm_output": "nonfarm output deflator",
    "cpi_u": "CPI-U",
    "cpi_u_rs": "CPI-U-RS",
    "gdp": "GDP deflator",
    "bls_consumer": "BLS consumer deflator",
    "epi_cpi": "EPI extended CPI",
    "pce": "PCE price index",
    "chained_cpi": "chained CPI",
}
VARIANT_LABELS = {
    "epi": "EPI (since 2024)",
    "epi_pre2024": "EPI (until 2024)",
    "epi_output_prices": "Bivens & Mishel framing",
    "bls": "BLS published pair",
    "feldstein": "Feldstein (2008)",
    "median_weekly": "Median weekly earnings",
    "typical_cpi_u": "Popular chart (CPI-U)",
}


def readable(code: str, labels: dict[str, str]) -> str:
    """A code name as a reader reads it; unknown names lose their underscores."""
    return labels.get(code, code.replace("_", " "))


EPI_SERIES = [
    "NIPA_T10705_L30_NDP",
    "TOTAL_ECONOMY_HOURS_ALL_WORKERS",
    "AHETPI",
    "W209RC1",
    "A576RC1",
    "SUUR0000SA0",
    "CPI_U_RS",
    "CPIAUCNS",
]


def _source_line(con: duckdb.DuckDBPyConnection, ids: list[str], prefix: str = "Source") -> str:
    rows = con.execute(
        """
        SELECT series_id, max(last_date) FROM meta.downloads
        WHERE series_id IN (SELECT unnest(?)) GROUP BY series_id ORDER BY series_id
        """,
        [ids],
    ).fetchall()
    by_last: dict[str, list[str]] = {}
    for sid, last in rows:
        if last:
            by_last.setdefault(f"{last:%Y-%m}", []).append(sid)
    held = "; ".join(f"{', '.join(ids)} to {last}" for last, ids in sorted(by_last.items()))
    return f"{prefix}: BEA and BLS via FRED and BLS files, latest vintage held ({held})."


def _finish(fig, source: str) -> None:
    """Lay the plot out above the source line, which wraps at about 140 characters."""
    lines = math.ceil(len(source) / 140)
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, min(0.4, (lines * 0.14 + 0.08) / height), 1, 1))
    style.add_source(fig, source)


def _has_c1(con: duckdb.DuckDBPyConnection) -> str | None:
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
        ).fetchall()
    }
    missing = {"c1_series", "c1_multiverse", "c1_variants"} - tables
    if missing:
        return "C1 marts missing: " + ", ".join(sorted(missing))
    held = con.execute(
        "SELECT count(*) FROM marts.c1_series WHERE variant = 'epi' AND period = ?", [BASE]
    ).fetchall()[0][0]
    if not held:
        return f"the EPI-method series do not reach back to {BASE} (inputs missing)"
    return None


def _indexed_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    frames = []
    for variant, label in PAY_LINES.items():
        held = con.execute(
            "SELECT count(*) FROM marts.c1_series WHERE variant = ? AND period = ?",
            [variant, BASE],
        ).fetchall()[0][0]
        if held:
            frame = con.execute(
                "SELECT date, period, productivity_index, pay_index FROM marts.gap_since(?, ?)",
                [BASE, variant],
            ).df()
            frame["line"] = label
            frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    epi = data[data["line"] == PAY_LINES["epi"]]
    last = epi.iloc[-1]
    title = (
        f"Net productivity grew {last['productivity_index'] - 100:.0f}% from {BASE} to "
        f"{last['period']}, typical compensation {last['pay_index'] - 100:.0f}%"
    )
    fig, ax = style.new_figure()
    ax.plot(epi["date"], epi["productivity_index"], label="Net productivity (total economy)")
    for label, frame in data.groupby("line", sort=False):
        ax.plot(frame["date"], frame["pay_index"], label=label, linewidth=1.4)
    ax.axhline(100, color="#888888", linewidth=0.8)
    ax.set_ylabel(f"Index, {BASE} = 100")
    ax.set_xlabel("Quarter")
    style.title(ax, title)
    style.legend_right(ax, title="All deflated by EPI's extended chained CPI", columns=26)
    source = _source_line(con, EPI_SERIES + ["LES1252881600Q", "CPIAUCSL"])
    _finish(fig, source)
    # Units in the CSV's headers: the base period of the indexes.
    base = BASE.lower()
    out = data.rename(
        columns={
            "line": "pay_line",
            "productivity_index": f"productivity_index_{base}_100",
            "pay_index": f"pay_index_{base}_100",
        }
    )
    return Chart("c1_productivity_pay", title, style.to_svg(fig), out, source)


def _wedge_split(con: duckdb.DuckDBPyConnection, first: str, final: str, variant: str):
    """The split's one row, or None where the window is outside the data or a wedge is empty."""
    try:
        split = con.execute(
            "SELECT * FROM marts.wedge_split(?, ?, ?)", [first, final, variant]
        ).df()
    except duckdb.Error:
        return None
    if split.empty or split.iloc[0][list(WEDGE_COLUMNS)].isna().any():
        return None
    return split.iloc[0]


WEDGE_COLUMNS = ("inequality_share_pct", "labor_share_share_pct", "prices_share_pct")


def _wedge_chart(con: duckdb.DuckDBPyConnection) -> tuple[Chart | None, pd.DataFrame]:
    rows = []
    start, end = BIVENS_MISHEL_2015["window"].split("-")
    variant = next(
        (v for v in WEDGE_VARIANTS if _wedge_split(con, start, end, v) is not None), None
    )
    if variant is None:
        return None, pd.DataFrame()
    windows = [(start, end)]
    last_q = con.execute(
        "SELECT max(period) FROM marts.c1_series WHERE variant = ? AND frequency = 'Q' "
        "AND inequality_term IS NOT NULL AND labor_share_term IS NOT NULL",
        [variant],
    ).fetchall()[0][0]
    if last_q:
        windows.append((BASE, last_q))
    for first, final in windows:
        row = _wedge_split(con, first, final, variant)
        if row is None:
            continue  # the window is outside the data held: that bar is left out
        rows.append(
            {
                "who": f"This project\n{first}-{final}",
                "inequality": row["inequality_share_pct"],
                "labor_share": row["labor_share_share_pct"],
                "prices": row["prices_share_pct"],
                "log_gap": row["log_gap"],
                "variant": variant,
            }
        )
    if not rows:
        return None, pd.DataFrame()
    published = {"who": f"Bivens & Mishel (2015)\npublished, {BIVENS_MISHEL_2015['window']}"}
    published.update(BIVENS_MISHEL_2015["shares_pct"])
    published["log_gap"] = None
    data = pd.DataFrame([published] + rows)
    ours = rows[0]
    title = (
        f"Inequality: {ours['inequality']:.0f}% of the {start}-{end} gap here, "
        f"{BIVENS_MISHEL_2015['shares_pct']['inequality']:.0f}% in Bivens & Mishel's split"
    )
    fig, ax = style.new_figure(figsize=(7.2, 3.2))
    left = [0.0] * len(data)
    for key, label in WEDGES:
        values = data[key].astype(float).tolist()
        bars = ax.barh(data["who"], values, left=left, label=label, height=0.55)
        ink = style.label_colour(bars.patches[0].get_facecolor())
        for i, v in enumerate(values):
            if abs(v) >= 6:
                ax.text(
                    left[i] + v / 2, i, f"{v:.0f}%", ha="center", va="center", fontsize=8, color=ink
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("Share of the productivity-pay gap (log points), percent")
    ax.set_ylabel("Whose split, window")
    style.title(ax, title)
    style.legend_right(ax, columns=22)
    source = _source_line(con, EPI_SERIES + ["GDPDEF"])
    source += " Reference: Bivens & Mishel (2015), EPI, as published."
    _finish(fig, source)
    return Chart("c1_wedges", title, style.to_svg(fig), data, source), data


def _specification_chart(con: duckdb.DuckDBPyConnection) -> tuple[Chart, pd.DataFrame]:
    data = con.execute(
        """
        SELECT m.*, (SELECT string_agg(n.variant, ', ') FROM marts.c1_variants n
                     WHERE n.named AND n.productivity = m.productivity
                       AND n.productivity_prices = m.productivity_prices
                       AND n.pay = m.pay AND n.deflator = m.deflator) AS named_as
        FROM marts.c1_multiverse m WHERE base_period = ? ORDER BY gap_pts
        """,
        [BASE],
    ).df()
    drivers = con.execute(
        "SELECT * FROM marts.c1_multiverse_drivers WHERE base_period = ?", [BASE]
    ).df()
    choices = ["pay", "productivity_prices", "productivity", "deflator"]
    options = [
        (choice, option)
        for choice in choices
        for option in drivers[drivers["choice"] == choice]
        .sort_values("median_gap_pts")["option"]
        .tolist()
    ]
    positive = int((data["gap_pts"] > 0).sum())
    title = (
        f"{positive} of {len(data)} ways of measuring it put productivity ahead of pay since {BASE}"
    )
    fig, (top, bottom) = style.new_figure(
        nrows=2, figsize=(7.2, 6.4), sharex=True, gridspec_kw={"height_ratios": [1.1, 1.6]}
    )
    x = list(range(len(data)))
    top.scatter(x, data["gap_pts"], s=7, color=style.PALETTE[0], label="One combination")
    named = data[data["named_as"].notna()]
    top.scatter(
        named.index,
        named["gap_pts"],
        s=28,
        color=style.PALETTE[3],
        marker="D",
        label="A named variant",
    )
    # Named variants listed beside the panel, not written over the points (they crowd there).
    listing = "\n".join(
        f"{', '.join(readable(v, VARIANT_LABELS) for v in row['named_as'].split(', '))}: "
        f"{row['gap_pts']:.0f}"
        for _, row in named.sort_values("gap_pts", ascending=False).iterrows()
    )
    top.text(
        1.02,
        0.0,
        "Named variants, gap in points:\n" + listing,
        transform=top.transAxes,
        fontsize=style.LEGEND_FONT_SIZE - 0.5,
        va="bottom",
        ha="left",
    )
    top.axhline(0, color="#555555", linewidth=0.8)
    top.set_ylabel(f"Gap since {BASE}, points")
    style.title(top, title)
    style.legend_right(top)
    for row_index, (choice, option) in enumerate(options):
        hits = [i for i, v in enumerate(data[choice]) if v == option]
        colour = style.PALETTE[choices.index(choice) + 1]
        style.bar_marks(bottom, hits, row_index, colour, width=0.6, height=0.55)
    bottom.set_xlim(-0.05 * len(data), 1.05 * len(data))
    bottom.set_ylim(len(options) - 0.5, -0.5)  # first option on top
    bottom.set_yticks(range(len(options)))
    bottom.set_yticklabels(
        [f"{readable(c, CHOICE_LABELS)}: {readable(o, OPTION_LABELS)}" for c, o in options],
        fontsize=7.5,
    )
    bottom.set_xlabel("Combinations of productivity x prices x pay x deflator, sorted by gap")
    bottom.set_ylabel("Choice in use")
    bottom.grid(False)
    source = _source_line(
        con,
        EPI_SERIES
        + ["OPHNFB", "IPDNBS", "COMPNFB", "COMPRNFB", "PRS88003093", "PRS88003153"]
        + ["PRS88003173", "LES1252881600Q", "CPIAUCSL", "PCEPI", "GDPDEF"],
    )
    _finish(fig, source)
    return Chart("c1_multiverse", title, style.to_svg(fig), data, source), drivers


def _base_chart(con: duckdb.DuckDBPyConnection) -> Chart:
    data = con.execute(
        """
        SELECT n.variant, m.base_period, m.end_period, m.productivity_growth_rate,
               m.pay_growth_rate, m.rate_gap, m.gap_pts, m.gap_ratio
        FROM marts.c1_variants n
        JOIN marts.c1_multiverse m ON m.productivity = n.productivity
             AND m.productivity_prices = n.productivity_prices AND m.pay = n.pay
             AND m.deflator = n.deflator
        WHERE n.named AND n.variant IN (SELECT unnest(?))
        ORDER BY n.variant, m.base_period
        """,
        [NAMED_FOR_BASES],
    ).df()
    low, high = data["rate_gap"].min(), data["rate_gap"].max()
    if low > 0:
        title = (
            f"From every peak, every named measure has productivity ahead by "
            f"{low:.1f}-{high:.1f} pts/yr"
        )
    else:
        below = data[data["rate_gap"] <= 0]
        title = (
            f"{len(below)} of {len(data)} measure-and-base choices show pay keeping up "
            f"(gap {low:.1f} to {high:.1f} points a year)"
        )
    fig, ax = style.new_figure()
    markers = ["o", "s", "D", "^", "v", "P"]
    for i, (variant, frame) in enumerate(data.groupby("variant", sort=True)):
        ax.plot(
            frame["base_period"],
            frame["rate_gap"],
            marker=markers[i % len(markers)],
            label=readable(variant, VARIANT_LABELS),
            linewidth=1.3,
        )
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel("Base quarter (cyclical peak); window runs to the latest quarter held")
    ax.set_ylabel("Productivity minus pay, pts a year")
    style.title(ax, title)
    style.legend_right(ax, title="Named variant", columns=24)
    source = _source_line(con, EPI_SERIES + ["OPHNFB", "COMPNFB", "COMPRNFB", "LES1252881600Q"])
    _finish(fig, source)
    return Chart("c1_base_periods", title, style.to_svg(fig), data, source)


def _rolling_chart(con: duckdb.DuckDBPyConnection) -> Chart | None:
    """Pass-through in every 20-year window (annual changes), with its 95% HAC interval."""
    try:
        data = con.execute(
            "SELECT * FROM marts.c1_pass_through_rolling WHERE smoothing = 'annual' "
            "ORDER BY pay DESC, last_year"
        ).df()
    except duckdb.CatalogException:
        return None
    typical = data[data["pay"] == "typical"]
    if typical.empty:
        return None
    first, last = typical.iloc[0], typical.iloc[-1]
    title = (
        f"Pass-through of productivity to typical pay, 20-year windows: "
        f"{first['coefficient']:.2f} in {first['first_year'] - 1}-{first['last_year']}, "
        f"{last['coefficient']:.2f} in {last['first_year'] - 1}-{last['last_year']}"
    )
    fig, ax = style.new_figure()
    labels = {
        "typical": "Typical pay (EPI production/nonsupervisory)",
        "mean": "Mean pay per employee hour",
    }
    for colour, (pay, frame) in enumerate(data.groupby("pay", sort=False)):
        years = frame["last_year"]
        ax.plot(years, frame["coefficient"], color=style.PALETTE[colour], label=labels[pay])
        ax.fill_between(
            years, frame["ci_low"], frame["ci_high"], color=style.PALETTE[colour], alpha=0.15,
            linewidth=0, label=f"{labels[pay].split(' (')[0]}: 95% interval (HAC)",
        )  # fmt: skip
    ax.axhline(1, color="#555555", linewidth=0.8, linestyle="--")
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.set_xlabel("Last year of the 20-year window")
    ax.set_ylabel("pp of pay growth per pp of productivity")
    style.title(ax, title)
    style.legend_right(ax, columns=24)
    source = _source_line(con, EPI_SERIES) + " Fit: OLS, Newey-West HAC (Stansbury & Summers 2017)."
    _finish(fig, source)
    return Chart("c1_pass_through_windows", title, style.to_svg(fig), data, source)


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        id="C1", title="The productivity-pay gap", template="c1_productivity_pay.html.j2"
    )
    reason = _has_c1(con)
    if reason:
        section.available = False
        section.reason = reason
        return section
    section.charts.append(_indexed_chart(con))
    wedge_chart, wedges = _wedge_chart(con)
    if wedge_chart:
        section.charts.append(wedge_chart)
    spec_chart, drivers = _specification_chart(con)
    section.charts.append(spec_chart)
    section.charts.append(_base_chart(con))
    rolling = _rolling_chart(con)
    if rolling:
        section.charts.append(rolling)

    epi = con.execute(
        "SELECT * FROM marts.gap_since(?, 'epi') ORDER BY date DESC LIMIT 1", [BASE]
    ).df()
    eras = con.execute(
        "SELECT * FROM marts.c1_eras WHERE variant IN ('epi', 'bls', 'typical_cpi_u') "
        "ORDER BY variant, frequency, start_period"
    ).df()
    top_driver = (
        drivers.sort_values("choice_spread_pts", ascending=False)
        .drop_duplicates("choice")
        .reset_index(drop=True)
    )
    multiverse = spec_chart.data
    section.context.update(
        base=BASE,
        epi=epi.iloc[0].to_dict(),
        epi_published=EPI_PUBLISHED,
        eras=eras.to_dict("records"),
        drivers=top_driver.to_dict("records"),
        multiverse={
            "n": len(multiverse),
            "positive": int((multiverse["gap_pts"] > 0).sum()),
            "min": multiverse["gap_pts"].min(),
            "median": multiverse["gap_pts"].median(),
            "max": multiverse["gap_pts"].max(),
            "lowest": multiverse.iloc[0].to_dict(),
            "lowest_label": ", ".join(
                readable(multiverse.iloc[0][choice], OPTION_LABELS)
                for choice in ("productivity", "productivity_prices", "pay", "deflator")
            ),
        },
        variant_labels=VARIANT_LABELS,
        wedges=wedges.to_dict("records"),
        variants=con.execute(
            "SELECT variant, description FROM marts.c1_variants WHERE named ORDER BY variant"
        )
        .df()
        .to_dict("records"),
    )
    return section
