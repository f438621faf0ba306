"""Print every independently recomputed C1/C3/C4 figure with its definition.

Run from the repository root: ``python -m tests.independent.print_figures_core [SNAPSHOT]``
(default snapshot: ../shared/fred-snapshot next to the repository).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from . import core

DEFAULT_SNAPSHOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "fred-snapshot"


def _decomposition(snapshot: Path) -> None:
    print("== C1 decomposition 1973-2014, matched scopes (annual averages)")
    print(
        "   productivity = NDP (T10705 l.30) / hours of all workers / NDP price index (T10704 l.11);"
        "\n   mean comp = compensation paid (T11000 l.2) / EMPLOYEE hours (BLS total economy);"
        "\n   typical = AHETPI x W209RC1/A576RC1 (EPI production/nonsupervisory compensation);"
        "\n   consumer deflator = CPI-U-RS (CPI-U before Dec 1977 linked). Shares = wedge / log gap."
    )
    print(
        "   Bivens & Mishel 2015 (median compensation): inequality 58.9, labor share 11.5, prices 29.6"
    )
    for farm, cpi, note in (
        ("exclude", "cpi_u_rs", "PRIMARY: employee hours exclude all farm hours"),
        ("include", "cpi_u_rs", "bound: employee hours include all farm hours"),
        (
            "exclude",
            "epi",
            "alternative: extended chained CPI-U (EPI since 2024) as consumer deflator",
        ),
    ):
        d = core.c1_decomposition(snapshot, 1973, 2014, farm=farm, cpi=cpi)
        print(
            f"   [{note}] productivity {d['productivity_growth_pct']:+.1f}%, typical pay "
            f"{d['typical_pay_growth_pct']:+.1f}%, mean comp (CPI) {d['mean_comp_growth_pct']:+.1f}%, "
            f"gap {d['gap_log']:.4f} log pts"
        )
        print(
            f"      inequality {d['inequality_share_pct']:.1f}%  labor share "
            f"{d['labor_share_share_pct']:.1f}%  prices {d['prices_share_pct']:.1f}%  (wedges "
            f"{d['inequality_wedge_log']:.4f} / {d['labor_share_wedge_log']:.4f} / "
            f"{d['prices_wedge_log']:.4f}; residual "
            f"{d['gap_log'] - d['inequality_wedge_log'] - d['labor_share_wedge_log'] - d['prices_wedge_log']:.1e})"
        )
    print("   employee share of all hours (total - nonfarm proprietors - unpaid family - farm):")
    for period in ("1973", "1973Q1", "2014", "2025Q3"):
        print(f"      {period}: {core.employee_hours_share(snapshot, period):.2f}%")


def _productivity(snapshot: Path) -> None:
    print(
        "== EPI pre-2024 productivity, NDP / hours of all workers / price index, 1979Q4 -> 2024Q2"
    )
    for deflator in ("ndp", "gdp"):
        for source, note in (
            ("workbook", "one vintage: Aug-2024 BEA workbook"),
            ("epi_2026", "mixed: Jan-2026 NDP over Aug-2024 prices"),
        ):
            value = core.epi_pre2024_productivity_growth(
                snapshot, deflator=deflator, ndp_source=source
            )
            print(
                f"   {deflator.upper()} price index, {note}: {value:+.2f}%   (reference ~+90% NDP, ~+101% GDP)"
            )
    h = core.epi_headline(snapshot)
    print("== EPI headline (current method), 1979Q4 -> 2025Q3, extended chained CPI-U")
    print(
        f"   productivity {h['productivity_growth_pct']:+.2f}% (EPI +90.2%), pay "
        f"{h['pay_growth_pct']:+.2f}% (EPI +33.0%)"
    )


def _pass_through(snapshot: Path) -> None:
    print(
        "== C1 pass-through (Stansbury & Summers 2017 style): real pay growth on productivity growth"
    )
    print(
        "   productivity = NDP per hour in NDP prices; pay / CPI-U-RS; OLS, Newey-West HAC, t 95% CI"
    )
    print("   reference: 0.7-1.0 for median and mean compensation")
    for smoothing in ("annual", "ma3"):
        frame = core.pass_through(snapshot, smoothing)
        print(f"   -- {smoothing} log changes")
        for row in frame.itertuples():
            print(
                f"      {row.pay:8s} {row.era}: b = {row.coefficient:.2f} [{row.ci_low:.2f}, "
                f"{row.ci_high:.2f}] n={row.n} lags={row.hac_lags}"
            )


def _investment(snapshot: Path) -> None:
    print("== C3 investment rate, one vintage (Aug-2024 BEA workbook), quarterly")
    print(
        "   rate = investment / (corporate profits with IVA & CCAdj T11200 l.13 + corporate CFC T11400 l.2);"
        "\n   pnfi = T10105 l.9, gpdi = T10105 l.7; OLS on decimal year, pp per decade, HAC 95% CI"
    )
    for lags in (None, 8):
        frame = core.investment_rate_trends(snapshot, lags=lags)
        print(f"   -- HAC lags {'floor(4 (n/100)^(2/9))' if lags is None else lags}")
        for row in frame.itertuples():
            print(
                f"      {row.definition} {row.era}: {row.slope_pp_per_decade:+.2f} pp/decade "
                f"[{row.ci_low:+.2f}, {row.ci_high:+.2f}] n={row.n} lags={row.hac_lags} mean {row.mean_rate_pct:.1f}%"
            )


def _kalecki(snapshot: Path) -> None:
    print("== C4 Kalecki: private terms as a share of profits after tax (mean of quarterly ratios)")
    print(
        "   private = GPDI - PRIVATE CFC - personal saving + dividends - statistical discrepancy;"
        "\n   workbook (Aug 2024) for all but personal saving (PSAVE.csv, Feb-2023 FRED vintage)"
    )
    k = core.kalecki_shares(snapshot)
    print(f"   window {k['first']}-{k['last']} (last ten years with every term)")
    print(f"      private terms, private CFC: {k['private_share_pct']:.1f}%   (reviewer ~44%)")
    print(
        f"      private terms, TOTAL CFC (today's SQL): {k['private_share_total_cfc_pct']:.1f}%   (reviewer ~16%)"
    )
    print(
        f"      private terms, private CFC, no statistical discrepancy: {k['private_share_no_sd_pct']:.1f}%"
    )
    print(
        f"      government CFC / profits after tax: {k['government_cfc_pct']:.1f}%   (reviewer ~28.5%)"
    )
    one = core.government_cfc_share(snapshot, "2014Q3", "2024Q2")
    print(
        f"      government CFC / profits after tax, 2014Q3-2024Q2 (workbook only, one vintage): {one:.1f}%"
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    snapshot = Path(args[0]) if args else DEFAULT_SNAPSHOT
    if not (snapshot / core.BEA_WORKBOOK).is_file():
        print(f"snapshot not found: {snapshot} (no {core.BEA_WORKBOOK})", file=sys.stderr)
        return 2
    pd.set_option("display.width", 200)
    _decomposition(snapshot)
    _productivity(snapshot)
    _pass_through(snapshot)
    _investment(snapshot)
    _kalecki(snapshot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
