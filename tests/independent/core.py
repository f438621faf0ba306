"""Independent recomputations (the referee) of the corrected C1, C3 and C4 figures.

Everything here is read STRAIGHT from the snapshot's source files (FRED-layout CSVs, the BEA
Section 1 workbook, the BLS total-economy hours workbook) with pandas and statsmodels; nothing
imports the project's code or reads its warehouse, so a bug in the SQL cannot hide here too.

Every public function takes the snapshot folder (``.../shared/fred-snapshot``) and returns numbers
or a small frame. Growth figures are percent; wedges are log points (natural logs x 100 are not
used: a wedge of 0.1 is 10 log points); shares are percent of the gap.

Sources (paths relative to the snapshot):
- BEA: raw/bea_nipa/Section1All_xls_2024-08-29.xlsx, "Data published August 29, 2024" (NIPA
  vintage of the 2024Q2 second estimate; quarterly 1947Q1-2024Q2, annual 1929-2023).
- BLS: raw/bls_total_economy/total-economy-hours-employment.xlsx, sheet MachineReadable,
  "Data released January 8, 2026" (quarterly 1947Q1-2025Q3, billions of hours at annual rate).
- CSVs at the snapshot's top level (vintages in SOURCES.md): AHETPI, EEU00500006_ANNUAL, W209RC1,
  A576RC1, NIPA_T10705_L30_NDP, TOTAL_ECONOMY_HOURS_ALL_WORKERS, CPIAUCNS, CPI_U_RS,
  SUUR0000SA0, PSAVE.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

BEA_WORKBOOK = Path("raw/bea_nipa/Section1All_xls_2024-08-29.xlsx")
BLS_HOURS_WORKBOOK = Path("raw/bls_total_economy/total-economy-hours-employment.xlsx")

# Components of the BLS total-economy file that are NOT employees: their hours earn proprietors'
# income (or nothing), not compensation of employees. Farm is published only for all workers
# (employees and self-employed together), so the primary definition leaves all farm hours out.
_PROPRIETORS = "Nonfarm business: non-employees: proprietors"
_UNPAID = "Nonfarm business: non-employees: unpaid family workers"
_FARM = "Farm"
_TOTAL = "Total U.S. economy"


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def read_series(snapshot: Path, name: str) -> pd.Series:
    """One FRED-layout CSV (`observation_date,<name>`) as a float Series indexed by date.

    Empty values (documented gaps, e.g. October 2025 CPI) are dropped. A wrong header or a
    non-numeric value raises ValueError naming the file and line.
    """
    path = Path(snapshot) / f"{name}.csv"
    lines = path.read_text().splitlines()
    if not lines or lines[0].strip() != f"observation_date,{Path(name).name}":
        raise ValueError(f"{path}: line 1 should be 'observation_date,{Path(name).name}'")
    dates, values = [], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        day, _, value = line.partition(",")
        if value.strip() == "":
            continue
        try:
            dates.append(pd.Timestamp(day))
            values.append(float(value))
        except ValueError:
            raise ValueError(
                f"{path}: line {number} is not 'YYYY-MM-DD,number': {line!r}"
            ) from None
    return pd.Series(values, index=pd.DatetimeIndex(dates), name=Path(name).name, dtype=float)


@lru_cache(maxsize=64)
def _bea_sheet(workbook: str, sheet: str) -> pd.DataFrame:
    return pd.read_excel(workbook, sheet_name=sheet, engine="calamine", header=None)


def bea_line(snapshot: Path, table: str, line: int, code: str, frequency: str = "Q") -> pd.Series:
    """One line of a NIPA table in the BEA Section 1 workbook, in billions (price indexes as is).

    table: BEA's sheet stem, e.g. "T10705"; line: the table's line number; code: the BEA series
    code printed on that line (e.g. "A362RC"), checked so a shifted table cannot pass silently.
    Quarterly series are indexed by the quarter's first day, annual by 1 January.
    """
    workbook = Path(snapshot) / BEA_WORKBOOK
    sheet = f"{table}-{frequency}"
    frame = _bea_sheet(str(workbook), sheet)
    header_row = frame.index[frame[0].astype(str).str.strip() == "Line"]
    if len(header_row) != 1:
        raise ValueError(f"{workbook}: sheet {sheet} has no single 'Line' header row")
    header = frame.loc[header_row[0]]
    rows = frame.index[pd.to_numeric(frame[0], errors="coerce") == line]
    rows = [r for r in rows if str(frame.at[r, 2]).strip() == code]
    if len(rows) != 1:
        raise ValueError(f"{workbook}: sheet {sheet} line {line} does not carry code {code}")
    row = frame.loc[rows[0]]
    periods = header.iloc[3:]
    values = pd.to_numeric(row.iloc[3:], errors="coerce")
    if frequency == "Q":
        index = pd.PeriodIndex(periods.astype(str), freq="Q").to_timestamp()
    else:
        index = pd.DatetimeIndex([pd.Timestamp(int(float(p)), 1, 1) for p in periods])
    series = pd.Series(values.to_numpy(dtype=float), index=index, name=code).dropna()
    # Dollar tables are in millions; FRED units (billions) make them comparable with the CSVs.
    return series if code.endswith(("RG", "RD")) else series / 1000.0


@lru_cache(maxsize=4)
def _bls_hours_long(workbook: str) -> pd.DataFrame:
    frame = pd.read_excel(workbook, sheet_name="MachineReadable", engine="calamine")
    expected = ["Sector", "Basis", "Component", "Measure", "Units", "Year", "Qtr", "Value"]
    if list(frame.columns) != expected:
        raise ValueError(f"{workbook}: sheet MachineReadable columns are not {expected}")
    return frame


def bls_hours(snapshot: Path) -> pd.DataFrame:
    """Quarterly hours worked by component (billions of hours, annual rate), one column each.

    Source: BLS total-economy workbook, sheet MachineReadable, Measure "Hours worked".
    N.A. values (1947 totals) become NaN.
    """
    workbook = Path(snapshot) / BLS_HOURS_WORKBOOK
    frame = _bls_hours_long(str(workbook))
    hours = frame[frame["Measure"] == "Hours worked"].copy()
    hours["Value"] = pd.to_numeric(hours["Value"], errors="coerce")
    hours["date"] = [
        pd.Timestamp(int(y), 3 * int(q) - 2, 1)
        for y, q in zip(hours["Year"], hours["Qtr"], strict=True)
    ]
    wide = hours.pivot_table(index="date", columns="Component", values="Value", aggfunc="first")
    for column in (_TOTAL, _PROPRIETORS, _UNPAID, _FARM):
        if column not in wide.columns:
            raise ValueError(f"{workbook}: sheet MachineReadable has no component {column!r}")
    return wide


def employee_hours(snapshot: Path, farm: str = "exclude") -> pd.DataFrame:
    """Quarterly total hours of all workers and of employees (billions of hours, annual rate).

    Definition: employee hours = total U.S. economy (all workers) - nonfarm proprietors - nonfarm
    unpaid family workers - farm. Farm is published only for all workers together (hired workers
    and farm operators); farm="exclude" (primary) drops all farm hours, farm="include" keeps them
    all; the truth lies between. Armed forces (personnel) stay in: their pay is compensation of
    employees in NIPA. Source: BLS total-economy workbook (Jan 8, 2026 release), sheet
    MachineReadable, rows Measure = "Hours worked".
    """
    if farm not in ("exclude", "include"):
        raise ValueError(f"employee_hours: farm must be 'exclude' or 'include', not {farm!r}")
    wide = bls_hours(snapshot)
    employees = wide[_TOTAL] - wide[_PROPRIETORS] - wide[_UNPAID]
    if farm == "exclude":
        employees = employees - wide[_FARM]
    return pd.DataFrame({"all_workers": wide[_TOTAL], "employees": employees}).dropna()


def _period_value(series: pd.Series, period: str) -> float:
    """The value of a quarterly series in 'YYYYQn', or its four-quarter mean in 'YYYY'."""
    period = period.strip().upper()
    if "Q" in period:
        stamp = pd.Period(period, freq="Q").to_timestamp()
        if stamp not in series.index:
            raise ValueError(f"period {period} is outside {series.name} ({_span(series)})")
        return float(series.loc[stamp])
    year = series[series.index.year == int(period)]
    if len(year) != 4:
        raise ValueError(
            f"year {period} has {len(year)} quarters of {series.name} ({_span(series)})"
        )
    return float(year.mean())


def _span(series: pd.Series) -> str:
    return f"{series.index.min():%Y-%m} to {series.index.max():%Y-%m}"


def employee_hours_share(snapshot: Path, period: str, farm: str = "exclude") -> float:
    """Employee hours as a percent of all workers' hours in a quarter ('2025Q3') or year ('1973').

    Definition as in employee_hours (primary: farm excluded). Reviewer's figure: 88.8% in 1973,
    93.3% latest.
    """
    hours = employee_hours(snapshot, farm)
    share = hours["employees"] / hours["all_workers"]
    share.name = "employee hours share"
    return 100.0 * _period_value(share, period)


# --------------------------------------------------------------------------------------------
# Price indexes
# --------------------------------------------------------------------------------------------


def consumer_price_index(snapshot: Path, kind: str = "cpi_u_rs") -> pd.Series:
    """Monthly consumer price index, older segments ratio-linked to newer ones at the join month.

    kind="cpi_u_rs": CPI-U-RS (CPI_U_RS.csv) from Dec 1977, CPI-U NSA (CPIAUCNS.csv) before, linked
    at Dec 1977: EPI's deflator until 2024 and Bivens & Mishel (2015)'s.
    kind="epi": EPI's extended chained CPI-U (CLAIMS.md): C-CPI-U (SUUR0000SA0.csv) from Dec 1999,
    the CPI-U-RS/CPI-U series above before, linked at Dec 1999.
    """
    rs = read_series(snapshot, "CPI_U_RS")
    cpi_u = read_series(snapshot, "CPIAUCNS")
    join = pd.Timestamp("1977-12-01")
    older = cpi_u[cpi_u.index < join] * (rs.loc[join] / cpi_u.loc[join])
    linked = pd.concat([older, rs])
    if kind == "cpi_u_rs":
        return linked.rename("cpi_u_rs")
    if kind != "epi":
        raise ValueError(f"consumer_price_index: kind must be 'cpi_u_rs' or 'epi', not {kind!r}")
    chained = read_series(snapshot, "SUUR0000SA0")
    join = pd.Timestamp("1999-12-01")
    older = linked[linked.index < join] * (chained.loc[join] / linked.loc[join])
    return pd.concat([older, chained]).rename("epi_cpi")


def _quarterly_mean(monthly: pd.Series) -> pd.Series:
    """Quarter averages of a monthly series; a quarter missing a month is dropped."""
    grouped = monthly.groupby(monthly.index.to_period("Q"))
    means = grouped.mean()[grouped.count() == 3]
    means.index = means.index.to_timestamp()
    return means.rename(monthly.name)


def _annual_mean(series: pd.Series, per_year: int) -> pd.Series:
    grouped = series.groupby(series.index.year)
    means = grouped.mean()[grouped.count() == per_year]
    return means.rename(series.name)


# --------------------------------------------------------------------------------------------
# C1: productivity, pay and the three wedges
# --------------------------------------------------------------------------------------------


def c1_annual_inputs(snapshot: Path, farm: str = "exclude", cpi: str = "cpi_u_rs") -> pd.DataFrame:
    """Annual C1 inputs, one row per year (index: year), nominal unless said.

    - ndp: net domestic product, BEA workbook T10705 line 30 (A362RC), annual, $bn.
    - ndp_price: NDP price index, T10704 line 11 (A362RG, addenda), annual, 2017=100.
    - compensation: compensation of employees, paid (domestic), T11000 line 2 (A4002C), annual, $bn.
    - hours / employee_hours: BLS total-economy hours (employee_hours(farm)), mean of 4 quarters.
    - typical: EPI production/nonsupervisory hourly compensation = AHETPI (annual mean of 12
      months; before 1964 EEU00500006_ANNUAL ratio-linked in 1964) x W209RC1 / A576RC1 (NIPA
      table 2.1 lines 2 / 3, annual means of quarters), $ per hour.
    - consumer_price: consumer_price_index(kind=cpi), annual mean of 12 months.
    """
    ndp = bea_line(snapshot, "T10705", 30, "A362RC", "A")
    ndp_price = bea_line(snapshot, "T10704", 11, "A362RG", "A")
    comp = bea_line(snapshot, "T11000", 2, "A4002C", "A")
    for s in (ndp, ndp_price, comp):
        s.index = s.index.year
    hours = employee_hours(snapshot, farm)
    all_hours = _annual_mean(hours["all_workers"], 4)
    emp_hours = _annual_mean(hours["employees"], 4)
    ahe = _annual_mean(read_series(snapshot, "AHETPI"), 12)
    eeu = read_series(snapshot, "EEU00500006_ANNUAL")
    eeu.index = eeu.index.year
    ahe_linked = pd.concat([eeu[eeu.index < 1964] * (ahe.loc[1964] / eeu.loc[1964]), ahe])
    ratio = _annual_mean(read_series(snapshot, "W209RC1"), 4) / _annual_mean(
        read_series(snapshot, "A576RC1"), 4
    )
    prices = _annual_mean(consumer_price_index(snapshot, cpi), 12)
    frame = pd.DataFrame(
        {
            "ndp": ndp,
            "ndp_price": ndp_price,
            "compensation": comp,
            "hours": all_hours,
            "employee_hours": emp_hours,
            "typical": ahe_linked * ratio,
            "consumer_price": prices,
        }
    )
    return frame.dropna()


def c1_decomposition(
    snapshot: Path, start: int = 1973, end: int = 2014, farm: str = "exclude", cpi: str = "cpi_u_rs"
) -> dict[str, float]:
    """Bivens & Mishel (2015) split of the productivity-typical pay gap, scopes matched.

    Definitions (annual averages, inputs as in c1_annual_inputs; Δ = change start -> end in logs):
    - productivity, real, output prices: P = NDP / hours of ALL workers / NDP price index;
    - mean compensation m = compensation of employees paid / EMPLOYEE hours (nominal);
    - typical pay w = EPI production/nonsupervisory hourly compensation (nominal);
    - real typical pay = w / consumer price (CPI-U-RS, CPI-U before 1978).
    gap = ΔlnP - Δln(w / consumer price), split exactly into
    - labor share wedge = ΔlnP - Δln(m / NDP price)  (= -Δln labor share, where the labor share
      imputes the self-employed the employees' mean pay);
    - prices wedge = Δln(consumer price / NDP price) (positive when consumer prices outrun output
      prices; the brief's "ln(output/consumer deflator) growth" with the sign that adds to the gap);
    - inequality wedge = Δln m - Δln w.
    Shares are percent of the gap. Reference: Bivens & Mishel 2015 (EPI Briefing Paper 406),
    1973-2014: inequality 58.9%, labor share 11.5%, prices 29.6% - but their typical pay is MEDIAN
    hourly compensation (CPS), not production/nonsupervisory compensation as here.
    """
    data = c1_annual_inputs(snapshot, farm, cpi)
    for year in (start, end):
        if year not in data.index:
            raise ValueError(
                f"c1_decomposition: year {year} is outside {data.index.min()}-{data.index.max()}"
            )
    a, b = data.loc[start], data.loc[end]

    def dln(column_b: float, column_a: float) -> float:
        return math.log(column_b / column_a)

    prod = dln(b.ndp / b.hours / b.ndp_price, a.ndp / a.hours / a.ndp_price)
    mean_output = dln(
        b.compensation / b.employee_hours / b.ndp_price,
        a.compensation / a.employee_hours / a.ndp_price,
    )
    typical_real = dln(b.typical / b.consumer_price, a.typical / a.consumer_price)
    mean_nominal = dln(b.compensation / b.employee_hours, a.compensation / a.employee_hours)
    typical_nominal = dln(b.typical, a.typical)
    gap = prod - typical_real
    labor_share = prod - mean_output
    prices = dln(b.consumer_price / b.ndp_price, a.consumer_price / a.ndp_price)
    inequality = mean_nominal - typical_nominal
    return {
        "productivity_growth_pct": 100 * math.expm1(prod),
        "typical_pay_growth_pct": 100 * math.expm1(typical_real),
        "mean_comp_growth_pct": 100
        * math.expm1(mean_nominal - dln(b.consumer_price, a.consumer_price)),
        "gap_log": gap,
        "labor_share_wedge_log": labor_share,
        "prices_wedge_log": prices,
        "inequality_wedge_log": inequality,
        "labor_share_share_pct": 100 * labor_share / gap,
        "prices_share_pct": 100 * prices / gap,
        "inequality_share_pct": 100 * inequality / gap,
    }


def epi_pre2024_productivity_growth(
    snapshot: Path,
    start: str = "1979Q4",
    end: str = "2024Q2",
    deflator: str = "ndp",
    ndp_source: str = "workbook",
) -> float:
    """EPI's pre-2024 net productivity growth, percent, start -> end (quarters).

    Definition: nominal NDP (BEA workbook T10705 line 30, A362RC) / hours of all workers (BLS
    total-economy file, total U.S. economy) / price index; deflator="ndp": NDP price index (T10704
    line 11, A362RG); deflator="gdp": GDP implicit price deflator (T10109 line 1, A191RD).
    ndp_source="workbook" (default): numerator and price index from ONE vintage, the Aug 29, 2024
    BEA workbook (to 2024Q2). ndp_source="epi_2026": NDP from NIPA_T10705_L30_NDP.csv (EPI's BEA
    API pull of Jan 2026, after the Sept-2024 annual update that raised 2019+ NDP) over the
    workbook's price index - a MIXED-vintage alternative. Hours: the Jan 8, 2026 BLS file.
    Reference (CLAIMS.md): about +90% with the NDP price index, about +101% with the GDP deflator;
    measured here, one vintage gives about +86% / +97%, the mixed-vintage numerator about +90% /
    +101%: the published figures rest on the revised (post-Sept-2024) NDP.
    """
    if ndp_source == "workbook":
        ndp = bea_line(snapshot, "T10705", 30, "A362RC")
    elif ndp_source == "epi_2026":
        ndp = read_series(snapshot, "NIPA_T10705_L30_NDP")
    else:
        raise ValueError(
            f"epi_pre2024_productivity_growth: ndp_source must be 'workbook' or 'epi_2026', not {ndp_source!r}"
        )
    if deflator == "ndp":
        price = bea_line(snapshot, "T10704", 11, "A362RG")
    elif deflator == "gdp":
        price = bea_line(snapshot, "T10109", 1, "A191RD")
    else:
        raise ValueError(
            f"epi_pre2024_productivity_growth: deflator must be 'ndp' or 'gdp', not {deflator!r}"
        )
    hours = employee_hours(snapshot)["all_workers"]
    productivity = (ndp / hours / price).dropna().rename("NDP per hour")
    return 100 * (_period_value(productivity, end) / _period_value(productivity, start) - 1)


def epi_headline(snapshot: Path, start: str = "1979Q4", end: str = "2025Q3") -> dict[str, float]:
    """EPI's current (since late 2024) productivity and typical pay growth, percent.

    Definition (CLAIMS.md): productivity = NDP (NIPA_T10705_L30_NDP.csv, EPI's BEA API pull of Jan
    2026) / total-economy hours of all workers (TOTAL_ECONOMY_HOURS_ALL_WORKERS.csv) / extended
    chained CPI-U; pay = AHETPI (quarterly mean of months) x W209RC1 / A576RC1 / the same CPI.
    Extended chained CPI: consumer_price_index(kind="epi"), quarterly mean of months.
    Reference: EPI, release of January 2026: 1979Q4 -> 2025Q3 productivity +90.2%, pay +33.0%.
    """
    cpi = _quarterly_mean(consumer_price_index(snapshot, "epi"))
    ndp = read_series(snapshot, "NIPA_T10705_L30_NDP")
    hours = read_series(snapshot, "TOTAL_ECONOMY_HOURS_ALL_WORKERS")
    ahe = _quarterly_mean(read_series(snapshot, "AHETPI"))
    ratio = read_series(snapshot, "W209RC1") / read_series(snapshot, "A576RC1")
    productivity = (ndp / hours / cpi).dropna().rename("EPI productivity")
    pay = (ahe * ratio / cpi).dropna().rename("EPI pay")
    return {
        "productivity_growth_pct": 100
        * (_period_value(productivity, end) / _period_value(productivity, start) - 1),
        "pay_growth_pct": 100 * (_period_value(pay, end) / _period_value(pay, start) - 1),
    }


def hac_lags(n_obs: int) -> int:
    """Newey-West's rule of thumb floor(4 (n/100)^(2/9))."""
    return int(math.floor(4 * (n_obs / 100.0) ** (2.0 / 9.0)))


PASS_THROUGH_ERAS: tuple[tuple[int, int | None], ...] = (
    (1948, 1973),
    (1973, 2000),
    (1979, 2000),
    (2000, None),
)


def pass_through(
    snapshot: Path,
    smoothing: str = "annual",
    eras: tuple[tuple[int, int | None], ...] = PASS_THROUGH_ERAS,
) -> pd.DataFrame:
    """Stansbury & Summers (2017)-style pass-through of productivity growth to real pay growth.

    Regression per era and pay measure: g_pay,t = a + b g_prod,t + e_t, OLS, Newey-West (Bartlett)
    HAC covariance with small-sample correction, t-based 95% interval (small samples).
    - g_prod: annual log change of NDP per hour of all workers in NDP prices (c1_annual_inputs);
    - g_pay: annual log change of real pay, pay / consumer price (CPI-U-RS, CPI-U before 1978):
      pay "mean" = compensation of employees paid / employee hours; "typical" = EPI production/
      nonsupervisory compensation;
    - smoothing="annual": one-year changes; "ma3": trailing 3-year moving averages of both
      (computed on the whole series, so an era's first two years average in the prior years).
    An era (start, end) holds the changes of years start+1 .. end (end None = latest year, 2023).
    HAC lags: max(floor(4 (n/100)^(2/9)), window - 1), i.e. 2 for these samples.
    Reference: Stansbury & Summers 2017: 1 pp faster productivity growth goes with 0.7-1.0 pp
    faster median and mean compensation growth.
    Columns: pay, era, n, coefficient, ci_low, ci_high, hac_lags.
    """
    if smoothing not in ("annual", "ma3"):
        raise ValueError(f"pass_through: smoothing must be 'annual' or 'ma3', not {smoothing!r}")
    data = c1_annual_inputs(snapshot)
    growth = pd.DataFrame(
        {
            "prod": np.log(data.ndp / data.hours / data.ndp_price).diff(),
            "mean": np.log(data.compensation / data.employee_hours / data.consumer_price).diff(),
            "typical": np.log(data.typical / data.consumer_price).diff(),
        }
    )
    window = 1
    if smoothing == "ma3":
        window = 3
        growth = growth.rolling(3).mean()
    growth = growth.dropna()
    rows = []
    for pay in ("mean", "typical"):
        for start, end in eras:
            last = end if end is not None else int(growth.index.max())
            sample = growth[(growth.index > start) & (growth.index <= last)]
            lags = max(hac_lags(len(sample)), window - 1)
            fit = sm.OLS(sample[pay].to_numpy(), sm.add_constant(sample["prod"].to_numpy())).fit(
                cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
            )
            low, high = fit.conf_int(alpha=0.05)[1]
            rows.append(
                {
                    "pay": pay,
                    "era": f"{start}-{last}",
                    "n": len(sample),
                    "coefficient": float(fit.params[1]),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "hac_lags": lags,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# C3: investment rate, one vintage
# --------------------------------------------------------------------------------------------


def investment_rates(snapshot: Path) -> pd.DataFrame:
    """Quarterly investment rates from the one BEA workbook (Aug 29, 2024), ratios (0.5 = 50%).

    Denominator (gross corporate profit): corporate profits with IVA and CCAdj (T11200 line 13,
    A051RC; national, includes rest-of-world profits) + corporate business consumption of fixed
    capital (T11400 line 2, A438RC) - never the total economy's CFC (government and housing).
    - pnfi: private nonresidential fixed investment (T10105 line 9, A008RC) / denominator;
    - gpdi: gross private domestic investment (T10105 line 7, A006RC) / denominator.
    """
    profits = bea_line(snapshot, "T11200", 13, "A051RC")
    corporate_cfc = bea_line(snapshot, "T11400", 2, "A438RC")
    base = profits + corporate_cfc
    return pd.DataFrame(
        {
            "pnfi": bea_line(snapshot, "T10105", 9, "A008RC") / base,
            "gpdi": bea_line(snapshot, "T10105", 7, "A006RC") / base,
        }
    ).dropna()


C3_ERAS: tuple[tuple[str, str | None], ...] = (
    ("1948Q1", "1979Q4"),
    ("1980Q1", "2007Q4"),
    ("2008Q1", None),
)


def investment_rate_trends(
    snapshot: Path, eras: tuple[tuple[str, str | None], ...] = C3_ERAS, lags: int | None = None
) -> pd.DataFrame:
    """OLS trend of each investment rate per era, percentage points per decade, HAC 95% interval.

    Regression: rate_t (percent) = a + b * decimal year + e; slope x 10 = pp per decade. Newey-West
    (Bartlett) HAC with small-sample correction, normal-based interval; lags = floor(4 (n/100)^(2/9))
    unless given (3 for 2008Q1-2024Q2, n = 66; 4 for the longer eras). End None = latest (2024Q2).
    Columns: definition, era, n, slope_pp_per_decade, ci_low, ci_high, hac_lags, mean_rate_pct.
    """
    rates = investment_rates(snapshot)
    rows = []
    for definition in rates.columns:
        for start, end in eras:
            first = pd.Period(start, freq="Q").to_timestamp()
            last = pd.Period(end, freq="Q").to_timestamp() if end else rates.index.max()
            sample = rates.loc[(rates.index >= first) & (rates.index <= last), definition]
            t = sample.index.year + (sample.index.month - 1) / 12.0
            used = lags if lags is not None else hac_lags(len(sample))
            fit = sm.OLS(100 * sample.to_numpy(), sm.add_constant(np.asarray(t, dtype=float))).fit(
                cov_type="HAC", cov_kwds={"maxlags": used, "use_correction": True}
            )
            low, high = fit.conf_int(alpha=0.05)[1]
            rows.append(
                {
                    "definition": definition,
                    "era": f"{pd.Timestamp(first).to_period('Q')}-{pd.Timestamp(last).to_period('Q')}",
                    "n": len(sample),
                    "slope_pp_per_decade": 10 * float(fit.params[1]),
                    "ci_low": 10 * float(low),
                    "ci_high": 10 * float(high),
                    "hac_lags": used,
                    "mean_rate_pct": float(100 * sample.mean()),
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# C4: Kalecki's profit identity
# --------------------------------------------------------------------------------------------


def kalecki_terms(snapshot: Path) -> pd.DataFrame:
    """Quarterly terms of the Kalecki identity, $bn SAAR.

    From the BEA workbook (Aug 29, 2024, one vintage): profits_after_tax (T11200 line 15, A551RC),
    dividends (T11200 line 16, B056RC), gpdi (T10105 line 7, A006RC), cfc_total (T10705 line 5,
    A262RC), cfc_private (line 6, A024RC), cfc_government (line 11, A264RC), statistical_
    discrepancy (line 15, A030RC; GDP less GDI). household_saving: PSAVE.csv (personal saving,
    NIPA table 2.1, FRED vintage of Feb 2023, to 2022Q4) - Section 1 holds no saving, so this one
    term is a different (older) vintage. Rows only where every term is held (1947Q1-2022Q4).
    """
    frame = pd.DataFrame(
        {
            "profits_after_tax": bea_line(snapshot, "T11200", 15, "A551RC"),
            "dividends": bea_line(snapshot, "T11200", 16, "B056RC"),
            "gpdi": bea_line(snapshot, "T10105", 7, "A006RC"),
            "cfc_total": bea_line(snapshot, "T10705", 5, "A262RC"),
            "cfc_private": bea_line(snapshot, "T10705", 6, "A024RC"),
            "cfc_government": bea_line(snapshot, "T10705", 11, "A264RC"),
            "statistical_discrepancy": bea_line(snapshot, "T10705", 15, "A030RC"),
            "household_saving": read_series(snapshot, "PSAVE"),
        }
    )
    return frame.dropna()


def kalecki_shares(
    snapshot: Path, start: str | None = None, end: str | None = None
) -> dict[str, float]:
    """Shares of profits after tax that the private terms account for (mean of quarterly ratios, %).

    Identity (NIPA, exact up to wage accruals): profits after tax = (GPDI - private CFC)
    - household saving - [government saving + government CFC - government investment + ...]
    - foreign saving + dividends - statistical discrepancy (GDP less GDI).
    - private_share_pct: (GPDI - PRIVATE CFC - household saving + dividends - statistical
      discrepancy) / profits after tax - the corrected private terms;
    - private_share_total_cfc_pct: the same with TOTAL CFC (what the project does today);
    - private_share_no_sd_pct: private terms without the statistical discrepancy;
    - government_cfc_pct: government CFC / profits after tax (the difference of the first two).
    Window: start..end quarters ('YYYYQn'); default the last ten years where every term is held
    (2013Q1-2022Q4, bounded by PSAVE). Reviewer: about 44% (private CFC) vs 16% (total CFC);
    government CFC about 28.5% of profits after tax.
    """
    terms = kalecki_terms(snapshot)
    last = pd.Period(end, freq="Q").to_timestamp() if end else terms.index.max()
    first = pd.Period(start, freq="Q").to_timestamp() if start else last - pd.DateOffset(months=117)
    window = terms[(terms.index >= first) & (terms.index <= last)]
    if window.empty:
        raise ValueError(f"kalecki_shares: no quarter with every term between {start} and {end}")
    p = window["profits_after_tax"]
    common = window["gpdi"] - window["household_saving"] + window["dividends"]
    sd = window["statistical_discrepancy"]
    return {
        "first": str(window.index.min().to_period("Q")),
        "last": str(window.index.max().to_period("Q")),
        "private_share_pct": float((100 * (common - window["cfc_private"] - sd) / p).mean()),
        "private_share_total_cfc_pct": float(
            (100 * (common - window["cfc_total"] - sd) / p).mean()
        ),
        "private_share_no_sd_pct": float((100 * (common - window["cfc_private"]) / p).mean()),
        "government_cfc_pct": float((100 * window["cfc_government"] / p).mean()),
    }


def government_cfc_share(snapshot: Path, start: str, end: str) -> float:
    """Government CFC (T10705 line 11) / profits after tax (T11200 line 15), mean of quarterly
    ratios in percent, start..end - all from the BEA workbook alone (one vintage, to 2024Q2)."""
    gov = bea_line(snapshot, "T10705", 11, "A264RC")
    profits = bea_line(snapshot, "T11200", 15, "A551RC")
    ratio = (100 * gov / profits).dropna()
    first, last = (pd.Period(p, freq="Q").to_timestamp() for p in (start, end))
    window = ratio[(ratio.index >= first) & (ratio.index <= last)]
    if window.empty:
        raise ValueError(f"government_cfc_share: no quarter between {start} and {end}")
    return float(window.mean())
