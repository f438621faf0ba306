"""Claim C5: labor share against profit share."""

from __future__ import annotations

import duckdb

from decoupling.report import style
from decoupling.report.sections import Chart, Section, claim_section, mark_unavailable, source_line

ORDER = 50


def section(con: duckdb.DuckDBPyConnection) -> Section:
    section, avail = claim_section(
        con, "C5", "Where the gains went: labor share and margins", "c5_where_gains_went.html.j2"
    )
    data = con.execute("SELECT * FROM marts.labor_share ORDER BY date").df()
    # Both the labor share and the profit share are needed; a refresh of other series only
    # (e.g. --series for C1) holds rows with one of them missing.
    if (
        data.empty
        or data["nfb_labor_share_idx"].isna().all()
        or data["cprofit_gdp_pct"].isna().all()
    ):
        return mark_unavailable(section, avail, "no labor-share or profit series held")
    fig, (top, bottom) = style.new_figure(nrows=2, sharex=True, figsize=(7.2, 5.2))
    top.plot(data["date"], data["nfb_labor_share_idx"], label="Nonfarm business labor share (BLS)")
    top.plot(
        data["date"], data["nfc_labor_share_idx"], label="Nonfinancial corporate labor share (BLS)"
    )
    top.plot(
        data["date"],
        data["nfc_labor_share_pct_idx"],
        label="Nonfinancial corporate, NIPA compensation / NVA",
    )
    top.set_ylabel("Index, 2017 = 100")
    top.xaxis.set_visible(False)  # shares the lower panel's quarter axis
    style.legend_right(top, columns=26)
    bottom.plot(
        data["date"],
        data["cprofit_gdp_pct"],
        label="Corporate profits / GDP",
        color=style.PALETTE[3],
    )
    bottom.plot(
        data["date"],
        data["nfc_profit_share_pct"],
        label="Nonfinancial corporate profits / NVA",
        color=style.PALETTE[4],
    )
    bottom.set_ylabel("Percent")
    bottom.set_xlabel("Quarter")
    style.legend_right(bottom, columns=26)
    base = data[data["date"] == "1979-10-01"]
    last_ls = data.dropna(subset=["nfb_labor_share_idx"]).iloc[-1]
    last_pr = data.dropna(subset=["cprofit_gdp_pct"]).iloc[-1]
    if not base.empty:
        ls_change = 100 * (last_ls["nfb_labor_share_idx"] / base["nfb_labor_share_idx"].iloc[0] - 1)
        pr_change = last_pr["cprofit_gdp_pct"] - base["cprofit_gdp_pct"].iloc[0]
        title = (
            f"Since 1979 the labor share fell {-ls_change:.0f}% while profits gained "
            f"{pr_change:.1f} points of GDP"
            if ls_change < 0
            else f"Since 1979 the labor share changed {ls_change:+.0f}%, profits {pr_change:+.1f} points of GDP"
        )
    else:
        title = "Labor share and profit share"
    style.title(top, title)
    fig.tight_layout()
    source = source_line(
        con,
        [
            "PRS85006173",
            "PRS88003173",
            "A460RC1Q027SBEA",
            "A457RC1Q027SBEA",
            "A463RC1Q027SBEA",
            "CPROFIT",
            "GDP",
        ],
        "Source: BLS Productivity and Costs, BEA NIPA via FRED",
    )
    style.add_source(fig, source)
    section.charts.append(Chart("c5_labor_vs_profit_share", title, style.to_svg(fig), data, source))
    section.context.update(
        mixed=bool(data["profits_gdp_mixed_vintage"].any()),
        releases=data["profits_gdp_releases"].iloc[-1],
    )
    section.charts.extend(asset_charts(con))  # the asset-value half (issue 14)
    return section


def asset_charts(con: duckdb.DuckDBPyConnection) -> list[Chart]:
    """Household net worth / disposable income and nonfinancial corporate net worth / GDP since
    1979, beside the labor share over the same quarters."""
    data = con.execute(
        "SELECT a.date, a.hh_nw_dpi_pct, a.nwpix_pct, a.nfc_nw_gdp_pct, l.nfb_labor_share_idx "
        "FROM marts.asset_values a LEFT JOIN marts.labor_share l USING (date) "
        "WHERE a.date >= DATE '1979-01-01' ORDER BY a.date"
    ).df()
    if data.empty:
        return []
    fig, (top, bottom) = style.new_figure(nrows=2, sharex=True, figsize=(7.2, 5.2))
    top.plot(data["date"], data["hh_nw_dpi_pct"], label="Household net worth / disposable income")
    top.plot(
        data["date"],
        data["nfc_nw_gdp_pct"],
        label="Nonfinancial corporate net worth (market value) / GDP",
    )
    top.set_ylabel("Percent")
    top.xaxis.set_visible(False)
    style.legend_right(top, columns=26)
    bottom.plot(
        data["date"], data["nfb_labor_share_idx"], color=style.PALETTE[3],
        label="Nonfarm business labor share (BLS)",
    )  # fmt: skip
    bottom.set_ylabel("Index, 2017 = 100")
    bottom.set_xlabel("Quarter")
    style.legend_above(bottom)
    hh = data.dropna(subset=["hh_nw_dpi_pct"])
    title = (
        f"Household net worth went from {hh['hh_nw_dpi_pct'].iloc[0]:.0f}% to "
        f"{hh['hh_nw_dpi_pct'].iloc[-1]:.0f}% of disposable income while the labor share fell"
    )
    style.title(top, title)
    fig.tight_layout()
    source = source_line(
        con,
        ["FREDQD_TNWBSHNOx", "FREDQD_DPIC96", "FREDQD_TNWMVBSNNCBx", "FREDQD_GDPC1", "PRS85006173"],
        "Source: Federal Reserve Z.1 and BEA via FRED-QD (each re-inflated by its own deflator); "
        "BLS. Corporate figure is net worth, not equity",
    )
    style.add_source(fig, source)
    return [Chart("c5_asset_values", title, style.to_svg(fig), data, source)]
