"""Claim C6: automation pushes work into services. The era trends and the break near 1980 of the
service-providing and manufacturing shares of payrolls (a Python model: statsmodels fits), and the
report section."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from decoupling.claims.c3_investment_rate.breaks import break_stats, break_stats_many
from decoupling.report import style
from decoupling.report.sections import Chart, Section, records, source_line
from decoupling.stats import break_date, eras, hac_lags
from decoupling.transform.python_models import empty_frame, parse_doc, write_table

ORDER = 60
TABLE = "marts.c6_trends"
READS = ("marts.c6_payroll_shares",)
DOC = """
-- Era trends and the break near 1980 of the annual service-providing and manufacturing shares of payrolls (C6, marts.c6_payroll_shares): OLS slope on the year within each era (DECOUPLING_ERAS, default 1948-1979, 1980-2007, 2008-latest; the data start in 1959) with Newey-West (HAC) errors and a t interval (few annual points), and HAC Wald tests of a shift in level and trend on the sample before 2008: at DECOUPLING_BREAK_DATE's year (default 1980) and the largest over 1975-1985 (the C3 break machinery, decoupling.claims.c3_investment_rate.breaks).
-- column measure: services_pct or manufacturing_pct
-- column test: era (a trend), chow (break at the given year) or sup_wald (largest Wald over 1975-1985)
-- column era: Era label (tests: the sample, START-END)
-- column first_year: First year fitted
-- column last_year: Last year fitted
-- column n_obs: Years fitted
-- column slope_pp_per_decade: Era trend, percentage points per decade (tests: the slope after the break)
-- column ci_low: Lower end of the 95% interval of the era trend (HAC, t with n - 2 df), pp per decade
-- column ci_high: Upper end of the 95% interval of the era trend, pp per decade
-- column slope_before_pp_per_decade: Tests: the trend before the break, pp per decade
-- column break_year: Tests: first year of the new regime
-- column wald_hac: Tests: HAC Wald statistic of no shift in level and trend (2 restrictions; HAC covariance with the small-sample factor n / (n - 4), as in C3)
-- column critical_5pct: Tests: 5% critical value (chi-squared(2) 5.99 for chow; Andrews 1993 sup-Wald 11.79 for sup_wald)
-- column hac_lags: Newey-West lags used
"""
DESCRIPTION, COLUMNS = parse_doc(DOC)
MEASURES = ("services_pct", "manufacturing_pct")
SEARCH_YEARS = range(1975, 1986)
ANDREWS_5PCT_2DF = 11.79  # Andrews (1993) sup-Wald, 2 restrictions, 15% trimming
CHI2_5PCT_2DF = 5.991


def fit_era(years: np.ndarray, values: np.ndarray) -> dict:
    """OLS of the share on the year with HAC errors; slope and its t interval per decade."""
    import statsmodels.api as sm  # here, not at import: the report imports this module (1.5 s)

    lags = hac_lags(len(years))
    fit = sm.OLS(values, sm.add_constant(years.astype(float))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags}, use_t=True
    )
    low, high = fit.conf_int(alpha=0.05)[1]
    return {
        "slope_pp_per_decade": 10 * float(fit.params[1]),
        "ci_low": 10 * float(low),
        "ci_high": 10 * float(high),
        "hac_lags": lags,
    }


def break_rows(measure: str, years: np.ndarray, values: np.ndarray, given: date) -> list[dict]:
    """HAC Wald of a level-and-trend shift at the given year and the largest over SEARCH_YEARS."""
    lags = hac_lags(len(years))
    t = years.astype(float)
    common = {
        "measure": measure,
        "era": f"{years.min()}-{years.max()}",
        "first_year": int(years.min()),
        "last_year": int(years.max()),
        "n_obs": len(years),
        "hac_lags": lags,
    }
    rows = []
    if years.min() < given.year <= years.max():
        at = break_stats(t, values, years >= given.year, lags)
        rows.append(_break_row(common, "chow", given.year, at, CHI2_5PCT_2DF))
    search = [y for y in SEARCH_YEARS if years.min() < y <= years.max()]
    if search:
        found = break_stats_many(t, values, years >= np.array(search)[:, None], lags)
        best = int(np.argmax(found["wald_hac"]))
        at = {key: float(v[best]) for key, v in found.items()}
        rows.append(_break_row(common, "sup_wald", search[best], at, ANDREWS_5PCT_2DF))
    return rows


def _break_row(common: dict, test: str, year: int, at: dict, critical: float) -> dict:
    return {
        **common,
        "test": test,
        "break_year": year,
        "wald_hac": at["wald_hac"],
        "critical_5pct": critical,
        # break_stats reports slopes of a ratio in pp per decade (x1000); these are percents.
        "slope_before_pp_per_decade": at["slope_before_pp_per_decade"] / 100,
        "slope_pp_per_decade": at["slope_after_pp_per_decade"] / 100,
    }


def build(con: duckdb.DuckDBPyConnection) -> None:
    data = con.execute("SELECT * FROM marts.c6_payroll_shares ORDER BY year").df()
    rows = []
    given = break_date()
    for measure in MEASURES:
        part = data.dropna(subset=[measure])
        years, values = part["year"].to_numpy(dtype=int), part[measure].to_numpy(dtype=float)
        for era in eras():
            mask = (years >= era.start_year) & (years <= (era.end_year or 9999))
            if mask.sum() < 8:
                continue
            rows.append(
                {
                    "measure": measure,
                    "test": "era",
                    "era": era.label,
                    "first_year": int(years[mask].min()),
                    "last_year": int(years[mask].max()),
                    "n_obs": int(mask.sum()),
                    **fit_era(years[mask], values[mask]),
                }
            )
        before = years < 2008  # one break in the window: the sample ends before the 2008 era
        if before.sum() >= 20:
            rows.extend(break_rows(measure, years[before], values[before], given))
    frame = pd.DataFrame(rows) if rows else _empty()
    write_table(con, TABLE, frame, COLUMNS)


def _empty() -> pd.DataFrame:
    types = {
        "measure": str,
        "test": str,
        "era": str,
        "first_year": np.int64,
        "last_year": np.int64,
        "n_obs": np.int64,
        "break_year": np.int64,
        "hac_lags": np.int64,
    }
    return empty_frame(COLUMNS, types)


def _payroll_chart(
    con: duckdb.DuckDBPyConnection, shares: pd.DataFrame, trends: pd.DataFrame
) -> Chart:
    fig, ax = style.new_figure()
    ax.plot(shares["year"], shares["services_pct"], label="Service-providing / payrolls")
    ax.plot(shares["year"], shares["manufacturing_pct"], label="Manufacturing / payrolls")
    eras_ = trends[(trends["test"] == "era") & (trends["measure"] == "services_pct")]
    for _, era in eras_.iterrows():
        part = shares[(shares["year"] >= era["first_year"]) & (shares["year"] <= era["last_year"])]
        # An OLS line passes through the means; draw it from the fitted slope.
        fitted = part["services_pct"].mean() + era["slope_pp_per_decade"] / 10 * (
            part["year"] - part["year"].mean()
        )
        ax.plot(part["year"], fitted, color=style.PALETTE[3], linewidth=2)
        ax.annotate(
            f"{era['slope_pp_per_decade']:+.1f} pp/decade",
            (part["year"].iloc[len(part) // 2], fitted.iloc[len(part) // 2]),
            textcoords="offset points",
            xytext=(0, 10),
            ha="center",
            fontsize=7.5,
            color=style.PALETTE[3],
        )
    ax.set_ylabel("Percent of nonfarm payrolls")
    ax.set_xlabel("Year")
    style.legend_above(ax)
    last = shares.iloc[-1]
    base = shares[shares["year"] == 1979]
    title = (
        f"Services rose from {base['services_pct'].iloc[0]:.1f}% of payrolls in 1979 to "
        f"{last['services_pct']:.1f}% in {int(last['year'])}; the shift slowed after 2008"
        if not base.empty
        else "Service-providing and manufacturing shares of payrolls"
    )
    style.title(ax, title)
    fig.tight_layout()
    source = source_line(
        con,
        ["FREDMD_PAYEMS", "FREDMD_SRVPRD", "FREDMD_MANEMP"],
        "Source: FRED-MD (BLS CES payrolls), annual averages; era trends OLS",
    )
    style.add_source(fig, source)
    data = shares.merge(
        trends[trends["test"] == "era"][["measure", "era", "first_year", "last_year"]]
        .query("measure == 'services_pct'")
        .drop(columns="measure"),
        how="left",
        left_on="year",
        right_on="first_year",
    ).drop(columns=["first_year", "last_year"])
    return Chart("c6_payroll_shares", title, style.to_svg(fig), data, source)


def _oews_chart(groups: pd.DataFrame) -> Chart:
    fig, ax = style.new_figure()
    for colour, (_code, part) in enumerate(groups.groupby("soc_group", sort=False)):
        ax.plot(
            part["year"], part["emp_share_pct"], marker="o", label=part["title"].iloc[0],
            color=style.PALETTE[colour],
        )  # fmt: skip
    ax.set_ylabel("Percent of OEWS employment")
    ax.set_xlabel("Year (May)")
    style.legend_above(ax)
    combined = groups[groups["soc_group"] == "31+39"]
    first, last = combined.iloc[0], combined.iloc[-1]
    title = (
        f"Care and personal service jobs grew from {first['emp_share_pct']:.2f}% to "
        f"{last['emp_share_pct']:.2f}% of employment ({int(first['year'])}-{int(last['year'])}), "
        f"at {last['rel_wage']:.2f} of the average wage"
    )
    style.title(ax, title)
    fig.tight_layout()
    source = (
        "Source: BLS OEWS national May estimates; SOC 2018 moved personal care aides from 39 to "
        "31 (2019 on): read the combined line."
    )
    style.add_source(fig, source)
    return Chart("c6_care_occupations", title, style.to_svg(fig), groups, source)


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        id="C6",
        title="Automation pushes work into services",
        template="c6_services_shift.html.j2",
    )
    shares = con.execute("SELECT * FROM marts.c6_payroll_shares ORDER BY year").df()
    trends = con.execute("SELECT * FROM marts.c6_trends ORDER BY measure, test, era").df()
    groups = con.execute("SELECT * FROM marts.c6_oews_groups ORDER BY soc_group, year").df()
    if not shares.empty:
        section.charts.append(_payroll_chart(con, shares, trends))
    if groups["year"].nunique() > 1:
        section.charts.append(_oews_chart(groups))
    if not section.charts:
        section.available = False
        section.reason = "neither the FRED-MD payrolls nor the OEWS workbooks are held"
    section.context.update(
        trends=records(trends),
        values=records(con.execute("SELECT * FROM marts.claims_c6").df()),
        payrolls_held=not shares.empty,
    )
    return section
