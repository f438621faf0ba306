"""Print the independently recomputed C2/C5/C6/C7 figures, each with its definition.

Run from the repository root:  python -m tests.independent.print_figures_new [SNAPSHOT_DIR]
(default snapshot: <repo>/../shared/fred-snapshot).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.independent import new_claims as nc

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = REPO / ".." / "shared" / "fred-snapshot"
EXTRA_LINKS = REPO / "tests" / "fixtures" / "indep2" / "soc_extra_links.csv"


def _c6(snapshot: Path) -> None:
    r = nc.c6_payroll_shares(snapshot)
    print("== C6 payroll shares (FRED-MD 2025-08; ratio of calendar-year means, full years) ==")
    print(
        f"service-providing SRVPRD/PAYEMS: {r['first_year']} {r['services_first']:.2f}%, "
        f"1979 {r['services_1979']:.2f}%, 2024 {r['services_2024']:.2f}%, "
        f"change 1979->2024 {r['services_2024'] - r['services_1979']:+.2f} pt "
        "(CLAIMS.md: 72.2 -> 86.3)"
    )
    print(
        f"manufacturing MANEMP/PAYEMS: {r['first_year']} {r['manufacturing_first']:.2f}%, "
        f"1979 {r['manufacturing_1979']:.2f}%, 2024 {r['manufacturing_2024']:.2f}%, "
        f"change {r['manufacturing_2024'] - r['manufacturing_1979']:+.2f} pt (CLAIMS.md: 21.6 -> 8.1)"
    )
    print("era slopes, pp per decade, OLS on year, Newey-West HAC 95% CI (t, T-2 df):")
    for (measure, era), s in r["eras"].items():
        print(
            f"  {measure:18s} {era:12s} ({s['first']}-{s['last']}, n={s['n']}, lags={s['lags']}): "
            f"{s['slope_per_decade']:+.2f} [{s['ci_low']:+.2f}, {s['ci_high']:+.2f}]"
        )
    print("break test 1975-1985 on 1959-2007 (HAC Wald, intercept+slope shift, 2 df):")
    for measure, b in r["breaks"].items():
        print(
            f"  {measure:18s} Wald at 1980 {b['wald_by_year'][1980]:.1f}; sup-Wald "
            f"{b['sup_wald']:.1f} at {b['sup_year']} (Andrews 5% cv {b['andrews_5pct_cv']})"
        )


def _c6_oews(snapshot: Path) -> None:
    print(
        "\n== C6 OEWS major groups (share of 00-0000 TOT_EMP; H_MEAN / all-occupations H_MEAN) =="
    )
    table = nc.c6_oews_groups(snapshot)
    for year, part in table.groupby("year"):
        cells = [
            f"{row.code} share {100 * row.emp_share:.2f}% rel.wage {row.rel_wage:.3f}"
            for row in part.itertuples()
        ]
        print(f"  {year}: " + " | ".join(cells))
    print("  note: SOC 2018 moved personal care aides from 39-9021 to 31-1122 (files 2019-2021);")
    print("        the combined 31+39 row is the comparable one across that change.")


def _c7(snapshot: Path) -> None:
    print("\n== C7 polarisation: employment-share change by base-year wage quantile (pp) ==")
    print(
        "definition: detailed occupations; rank wage = base-year mean hourly wage (H_MEAN, or "
        "A_MEAN/2080 when only annual); units linked by code, else identical title; "
        "employment-weighted quantiles by midpoint; shares of the year's 00-0000 total."
    )
    extra = nc.read_extra_links(EXTRA_LINKS)
    for base_year in (2008, 2013):
        for label, links, measure in (
            ("default (code or title)", None, "mean"),
            ("median wage ranking", None, "median"),
            ("variant + hand crosswalk", extra, "mean"),
        ):
            for bins in (5, 10):
                r = nc.polarisation(
                    snapshot, base_year, bins=bins, measure=measure, extra_links=links
                )
                t = r["table"]
                changes = " ".join(f"{c:+.2f}" for c in t["change_pp"])
                within = " ".join(f"{c:+.2f}" for c in t["change_pp_within_linked"])
                print(f"  {base_year}->2024 {label}, {bins} bins: {changes}")
                print(f"      within linked employment: {within}")
                if bins == 5:
                    v = nc.polarisation_verdict(r)
                    print(
                        f"      links {r['links']}; unlinked base emp "
                        f"{100 * r['unlinked_base_emp_share']:.1f}%, unranked "
                        f"{100 * r['unranked_base_emp_share']:.1f}%, end emp not linked "
                        f"{100 * r['end_not_linked_emp_share']:.1f}%; sum of changes "
                        f"{t['change_pp'].sum():+.2f} = unassigned base-end "
                        f"{100 * (r['unassigned_base_share'] - r['unassigned_end_share']):+.2f}"
                    )
                    print(
                        f"      middle Q2-4 avg {v['middle_avg_q2_q4']:+.2f} vs Q1 {v['q1']:+.2f}, "
                        f"Q5 {v['q5']:+.2f}: middle below both tails {v['middle_below_both_tails']}, "
                        f"Q3 below both {v['q3_below_both_tails']}, top fell {v['top_fell']}"
                    )


def _c5(snapshot: Path) -> None:
    r = nc.c5_asset_values(snapshot)
    print("\n== C5 asset values (FRED-QD 2025Q2 vintage) ==")
    print(
        "household NW / DPI, % = 100 x (TNWBSHNOx x PCEPILFE) / (DPIC96 x PCECTPI): "
        f"{r['first']} {r['hh_first']:.1f} -> {r['last']} {r['hh_last']:.1f} "
        f"({r['hh_last'] - r['hh_first']:+.1f} points)"
    )
    print(
        f"  file's NWPIx (= 100 x TNWBSHNOx / DPIC96, mixed deflators): {r['nwpix_first']:.1f} -> "
        f"{r['nwpix_last']:.1f} ({r['nwpix_last'] - r['nwpix_first']:+.1f}); max |NWPIx - rebuilt| "
        f"{r['nwpix_max_abs_gap_to_rebuilt']:.1e}"
    )
    s = r["series"]
    print(
        f"  nominal household NW {r['last']}: ${s['hh_nw_nominal_bn'].iloc[-1] / 1000:.1f} trillion"
    )
    print(
        "nonfinancial corporate net worth (market value) / GDP, % = 100 x (TNWMVBSNNCBx x IPDBS) / "
        f"(GDPC1 x GDPCTPI): {r['first']} {r['nfc_first']:.1f} -> {r['last']} {r['nfc_last']:.1f} "
        f"({r['nfc_last'] - r['nfc_first']:+.1f} points)"
    )


def _c2(snapshot: Path) -> None:
    r = nc.c2_services(snapshot)
    y0, y1 = r["base_year"], r["last_full_year"]
    print("\n== C2 services side (annual averages of complete years) ==")
    print(
        "haircuts CUUR0000SEGC01 are NOT in the snapshot; using CUUR0000SEGC personal care services"
    )
    print(
        f"time price of personal care services in AHETPI hours, {y0}->{y1}: "
        f"{r['time_price_change_pct']:+.1f}% (SEGC {r['segc_change_pct']:+.1f}%, AHETPI "
        f"{r['ahetpi_change_pct']:+.1f}%); Jan-Nov {y0}->2023: "
        f"{r['time_price_change_jan_nov_2023_pct']:+.1f}%"
    )
    print(
        f"relative price SEGC / TVs (CUSR0000SERA01), {y0}->{r['tv_last_year']}: x"
        f"{r['rel_tv_factor']:.1f} ({r['rel_tv_change_pct']:+.0f}%); TVs {r['tv_change_pct']:+.1f}%"
    )
    print(
        f"relative price SEGC / all items (CPIAUCSL) {y0}->{y1}: {r['rel_cpi_change_pct']:+.1f}%; "
        f"SEGC / goods (CUSR0000SAC, FRED-MD) {r['rel_goods_change_pct']:+.1f}%"
    )
    b = r["barber"]
    print(
        f"barber OEWS 39-5011 mean hourly: 2008 ${b[2008]['barber_h_mean']:.2f}, 2024 "
        f"${b[2024]['barber_h_mean']:.2f} ({r['barber_growth_pct']:+.1f}%); AHETPI May 2008 "
        f"${b[2008]['ahetpi_may']:.2f}, May 2024 ${b[2024]['ahetpi_may']:.2f} "
        f"({r['ahetpi_may_growth_pct']:+.1f}%); barber/AHETPI {r['barber_to_ahetpi_2008']:.3f} -> "
        f"{r['barber_to_ahetpi_2024']:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    snapshot = Path(args[0]) if args else SNAPSHOT
    if not (snapshot / "raw" / "FRED-MD_2025-08-vintage.csv").is_file():
        print(f"no snapshot at {snapshot.resolve()} (pass its folder as the first argument)")
        return 2
    _c6(snapshot)
    _c6_oews(snapshot)
    _c7(snapshot)
    _c5(snapshot)
    _c2(snapshot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
