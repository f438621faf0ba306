"""C3: the trend of each investment-rate definition within each era, OLS with Newey-West errors.

The rate is regressed on a constant and time (decimal years) within each era; the rates are
strongly autocorrelated, so the standard errors are HAC (Bartlett kernel, Newey-West lags
floor(4 (n/100)^(2/9)), statsmodels' small-sample correction) and the 95% interval uses the
normal approximation that statsmodels applies to HAC fits.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from decoupling.stats import decimal_year, eras, hac_lags
from decoupling.transform.python_models import empty_frame, parse_doc, write_table

TABLE = "marts.investment_trends"
READS = ("marts.investment_rate",)
DOC = """
-- Era trends of every investment-rate definition (C3): OLS slope of the rate on time within each
-- era (configurable, DECOUPLING_ERAS; default 1948-1979, 1980-2007, 2008-latest) with a 95%
-- confidence interval from HAC (Newey-West) standard errors, fitted with statsmodels.
-- column definition: Investment-rate definition (marts.investment_rate.definition)
-- column label: What the definition divides by what
-- column era: Era label, START-END years (latest = the last quarter held)
-- column era_start: First quarter fitted
-- column era_end: Last quarter fitted
-- column n_obs: Quarters fitted
-- column mean_rate: Mean investment rate over the era (ratio)
-- column slope_pp_per_decade: OLS trend of the rate, percentage points per decade
-- column ci_low_pp_per_decade: Lower bound of the 95% confidence interval (HAC), pp per decade
-- column ci_high_pp_per_decade: Upper bound of the 95% confidence interval (HAC), pp per decade
-- column ci90_low_pp_per_decade: Lower bound of the 90% confidence interval (HAC), pp per decade: the equivalence test's interval
-- column ci90_high_pp_per_decade: Upper bound of the 90% confidence interval (HAC), pp per decade
-- column std_error_pp_per_decade: HAC standard error of the slope, pp per decade
-- column p_value: Two-sided p-value of slope = 0 (HAC, normal approximation)
-- column hac_lags: Newey-West lags used
-- column trend: rising, falling, or flat (the 95% interval includes zero)
-- column mixed_vintage: True when the definition's series come from different releases
"""
DESCRIPTION, COLUMNS = parse_doc(DOC)
MIN_OBS = 8  # fewer quarters than this give no trend worth reporting
PP_PER_DECADE = 100.0 * 10.0  # ratio per year -> percentage points per decade


def fit_era(dates: pd.Series, rates: pd.Series) -> dict:
    """OLS of the rate on a constant and decimal years, HAC errors; slope in pp per decade."""
    import statsmodels.api as sm  # here, not at import: the report imports this module (1.5 s)

    x = sm.add_constant(decimal_year(dates))
    lags = hac_lags(len(rates))
    result = sm.OLS(rates.to_numpy(dtype=float), x).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}
    )
    low, high = result.conf_int(alpha=0.05)[1]
    # The 90% interval is the equivalence test's (two one-sided 5% tests, TOST) for "not rising".
    low90, high90 = result.conf_int(alpha=0.10)[1]
    return {
        "slope_pp_per_decade": result.params[1] * PP_PER_DECADE,
        "ci_low_pp_per_decade": low * PP_PER_DECADE,
        "ci_high_pp_per_decade": high * PP_PER_DECADE,
        "ci90_low_pp_per_decade": low90 * PP_PER_DECADE,
        "ci90_high_pp_per_decade": high90 * PP_PER_DECADE,
        "std_error_pp_per_decade": result.bse[1] * PP_PER_DECADE,
        "p_value": float(result.pvalues[1]),
        "hac_lags": lags,
    }


def _trend(low: float, high: float) -> str:
    if low > 0:
        return "rising"
    if high < 0:
        return "falling"
    return "flat"


def build(con: duckdb.DuckDBPyConnection) -> None:
    data = con.execute(
        "SELECT date, definition, label, rate, mixed_vintage FROM marts.investment_rate "
        "WHERE rate IS NOT NULL ORDER BY definition, date"
    ).df()
    rows = []
    for definition, group in data.groupby("definition", sort=True):
        for era in eras():
            part = group[era.mask(group["date"]).to_numpy()]
            if len(part) < MIN_OBS:
                continue
            fit = fit_era(part["date"], part["rate"])
            rows.append(
                {
                    "definition": definition,
                    "label": part["label"].iloc[0],
                    "era": era.label,
                    "era_start": part["date"].min().date(),
                    "era_end": part["date"].max().date(),
                    "n_obs": len(part),
                    "mean_rate": float(part["rate"].mean()),
                    **fit,
                    "trend": _trend(fit["ci_low_pp_per_decade"], fit["ci_high_pp_per_decade"]),
                    "mixed_vintage": bool(part["mixed_vintage"].any()),
                }
            )
    frame = pd.DataFrame(rows) if rows else _empty()
    write_table(con, TABLE, frame, COLUMNS)


def _empty() -> pd.DataFrame:
    types = {
        "definition": str,
        "label": str,
        "era": str,
        "era_start": "datetime64[ns]",
        "era_end": "datetime64[ns]",
        "n_obs": np.int64,
        "trend": str,
        "mixed_vintage": bool,
        "hac_lags": np.int64,
    }
    return empty_frame(COLUMNS, types)
