"""Claim C3: the investment rate by era, its break around 1980, and the steady-state check."""

from __future__ import annotations

import re

import duckdb
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
from decoupling.stats import decimal_year

ORDER = 30
# The scorecard's headline first (sql/claims/c3_investment_rate/claims_c3.sql picks the same).
HEADLINE_ORDER = ("pnfi_corporate", "nfc_fa_gross", "pnfi_cprofit")


# Abbreviations the glossary explains, so eight definitions fit a legend and a table column.
ABBREVIATIONS = (
    ("Private nonresidential fixed investment", "PNFI"),
    ("Gross private domestic investment", "GPDI"),
    ("nonfinancial corporate fixed investment", "nonfin. corp. fixed investment"),
    ("consumption of fixed capital", "CFC"),
    ("nonfinancial corporate", "nonfin. corp."),
    ("corporate profits", "corp. profits"),
    ("with IVA and CCAdj", "(adj.)"),
    ("without IVA and CCAdj", "(unadj.)"),
    (", one BEA workbook", " [one workbook]"),
)


def short_label(label: str) -> str:
    """A definition's catalog title, abbreviated (PNFI, GPDI, CFC: see the glossary)."""
    for long, short in ABBREVIATIONS:
        label = label.replace(long, short)
    return label.removeprefix("Investment rate").lstrip(":, ")


TREND_VERBS = {"rising": "rose", "falling": "fell", "flat": "was flat"}


def rate_title(era_rows: pd.DataFrame, verdicts: list[tuple[str, str]]) -> str:
    """The headline chart's title, from the same trend rows and verdicts as the scorecard, so the
    two cannot disagree: each era's direction, and any era where the claim is not supported."""
    parts = [
        f"{TREND_VERBS.get(row['trend'], row['trend'])} in {row['era']}"
        for _, row in era_rows.iterrows()
    ]
    title = "The investment rate " + ", ".join(parts) if parts else "The investment rate by era"
    weaker = [(metric, verdict) for metric, verdict in verdicts if verdict != "supported"]
    if weaker:
        eras = [re.search(r"\d{4}-(\d{4}|latest)", m) for m, _ in weaker]
        where = ", ".join(
            f"{era.group(0) if era else metric}: {verdict}"
            for era, (metric, verdict) in zip(eras, weaker, strict=True)
        )
        title += f" (claim of no rise: {where})"
    return title


def _rate_chart(
    con: duckdb.DuckDBPyConnection,
    rates: pd.DataFrame,
    trends: pd.DataFrame,
    breaks: pd.DataFrame,
    labels: dict[str, str],
) -> Chart:
    headline = next(d for d in HEADLINE_ORDER if d in set(rates["definition"]))
    data = rates[rates["definition"] == headline].copy()
    era_rows = trends[trends["definition"] == headline]
    era_styles = iter(["-", "--", "-.", ":"] * 3)
    fig, ax = style.new_figure()
    ax.plot(
        data["date"],
        100 * data["rate"],
        label=short_label(labels.get(headline, headline)),
        linewidth=1.2,
    )
    for _, era in era_rows.iterrows():
        part = data[(data["date"] >= era["era_start"]) & (data["date"] <= era["era_end"])]
        t = decimal_year(part["date"])
        # An OLS line passes through the means; draw it from the fitted slope.
        fitted = era["mean_rate"] + era["slope_pp_per_decade"] / 1000.0 * (t - t.mean())
        # The slope goes in the legend: written on the chart it sat on the line it describes.
        ax.plot(
            part["date"],
            100 * fitted,
            color="#D55E00",
            linewidth=2.2,
            linestyle=next(era_styles),
            label=f"Trend {era['era']}: {era['slope_pp_per_decade']:+.1f} pp/decade",
        )
    chow = breaks[(breaks["definition"] == headline) & (breaks["test"] == "chow")]
    sup = breaks[(breaks["definition"] == headline) & (breaks["test"] == "sup_wald")]
    for frame_, style_, name in ((chow, "--", "given"), (sup, ":", "search")):
        if not frame_.empty:
            when = pd.Timestamp(frame_["break_date"].iloc[0])
            ax.axvline(
                when,
                color="#555555",
                linestyle=style_,
                linewidth=1,
                label=f"Break ({name}): {when:%Y}Q{when.quarter}",
            )
    ax.set_ylabel("Investment rate, % of gross profit")
    ax.set_xlabel("Quarter")
    verdicts = con.execute(
        "SELECT metric, verdict FROM marts.claims WHERE claim_id = 'C3' "
        "AND metric LIKE 'investment-rate trend%' ORDER BY metric"
    ).fetchall()
    title = rate_title(era_rows, verdicts)
    style.title(ax, title)
    style.legend_right(ax, columns=26)
    fig.tight_layout()
    source = source_line(
        con, data["series_ids"].iloc[0].split(","), "Source: BEA NIPA via FRED; trends OLS, HAC 95%"
    )
    style.add_source(fig, source)
    table = data[["date", "rate", "series_ids", "mixed_vintage"]].rename(
        columns={"rate": "investment_rate_share_of_profit"}
    )
    for _, era in era_rows.iterrows():
        mask = (table["date"] >= era["era_start"]) & (table["date"] <= era["era_end"])
        t = decimal_year(table.loc[mask, "date"])
        table.loc[mask, "era_trend_share_of_profit"] = era["mean_rate"] + era[
            "slope_pp_per_decade"
        ] / 1000.0 * (t - t.mean())
    return Chart("c3_investment_rate", title, style.to_svg(fig), table, source)


def _definitions_chart(
    con: duckdb.DuckDBPyConnection, rates: pd.DataFrame, labels: dict[str, str]
) -> Chart:
    wide = rates.pivot_table(index="date", columns="definition", values="rate").reset_index()
    fig, ax = style.new_figure(figsize=(7.2, 4.6))
    for definition in [c for c in wide.columns if c != "date"]:
        label = short_label(labels.get(definition, definition))
        ax.plot(wide["date"], 100 * wide[definition], label=label or definition, linewidth=1.1)
    ax.set_ylabel("Investment rate, % of the profit base")
    ax.set_xlabel("Quarter")
    smooth = wide.set_index("date").rolling(20, min_periods=20, center=True).mean()
    peaks = sorted(
        int(pd.Timestamp(smooth[c].idxmax()).year)
        for c in smooth.columns
        if smooth[c].notna().any()
    )
    title = (
        f"{len(peaks)} definitions of the investment rate: the centred five-year averages "
        f"peak between {peaks[0]} and {peaks[-1]}"
        if peaks
        else f"{len(smooth.columns)} definitions of the investment rate (under five years of data)"
    )
    style.title(ax, title)
    style.legend_right(ax, columns=28)
    fig.tight_layout()
    ids = sorted({s for ids in rates["series_ids"].unique() for s in ids.split(",")})
    source = source_line(con, ids, "Source: BEA NIPA and Federal Reserve Z.1 via FRED")
    style.add_source(fig, source)
    return Chart("c3_investment_rate_definitions", title, style.to_svg(fig), wide, source)


def _steady_state_chart(con: duckdb.DuckDBPyConnection, steady: pd.DataFrame) -> Chart:
    fig, ax = style.new_figure()
    ax.plot(
        steady["date"], 100 * steady["profit_rate"], label="Profit rate r (gross, current cost)"
    )
    ax.plot(
        steady["date"],
        100 * steady["steady_state_profit_rate"],
        label="(g + depreciation) / investment rate",
    )
    ax.set_ylabel("Percent per year")
    ax.set_xlabel("Quarter")
    gap = float((steady["gap"]).abs().mean())
    title = (
        f"The profit rate and its steady-state value differ by {100 * gap:.1f} points on average"
    )
    style.title(ax, title)
    style.legend_right(ax, columns=24)
    fig.tight_layout()
    source = source_line(
        con,
        ["BOGZ1FA105013005Q", "BOGZ1FL105015085Q", "W326RC1Q027SBEA", "B456RC1Q027SBEA"],
        "Source: Federal Reserve Z.1 and BEA NIPA via FRED, nonfinancial corporate business",
    )
    style.add_source(fig, source)
    return Chart("c3_steady_state", title, style.to_svg(fig), steady, source)


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section, avail = claim_section(
        con, "C3", "Investment rate and the rate of profit", "c3_investment_rate.html.j2"
    )
    rates = con.execute("SELECT * FROM marts.investment_rate ORDER BY definition, date").df()
    if rates.empty:
        return mark_unavailable(section, avail, "no investment-rate definition can be computed")
    trends = con.execute("SELECT * FROM marts.investment_trends ORDER BY definition, era").df()
    breaks = con.execute("SELECT * FROM marts.investment_breaks ORDER BY definition, test").df()
    for column in ("era_start", "era_end"):
        trends[column] = pd.to_datetime(trends[column])
    # The catalog's titles of the definitions label the lines (never their code names).
    labels = {r["analysis"]: r["label"] for r in section.context["availability"]}
    if "label" in trends.columns:
        labels.update(trends.dropna(subset=["label"]).set_index("definition")["label"].to_dict())
    section.context["labels"] = {d: short_label(label) for d, label in labels.items()}
    if any(d in set(rates["definition"]) for d in HEADLINE_ORDER):
        section.charts.append(_rate_chart(con, rates, trends, breaks, labels))
    section.charts.append(_definitions_chart(con, rates, labels))
    section.context["trends"] = records(trends)
    section.context["breaks"] = records(breaks)
    steady = con.execute("SELECT * FROM marts.steady_state ORDER BY date").df()
    section.context["steady_state"] = records(steady.tail(8))
    if not steady.empty:
        section.charts.append(_steady_state_chart(con, steady))
    section.context["steady_state_reason"] = next(
        (r["reason"] for r in section.context["availability"] if r["analysis"] == "steady_state"),
        None,
    )
    section.context["mixed"] = bool(rates["mixed_vintage"].any())
    return section
