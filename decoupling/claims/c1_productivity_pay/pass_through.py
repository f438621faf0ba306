"""C1 "the link has weakened": pass-through of productivity growth to pay growth by era.

Stansbury & Summers (2017) style: per era, pay measure and smoothing, OLS of annual real pay growth
on annual real productivity growth (log changes), g_pay = a + b g_prod, with Newey-West (Bartlett)
HAC errors and statsmodels' small-sample correction; the interval uses t quantiles (the samples
are 20-45 years). Smoothing "annual": one-year changes; "ma3": trailing 3-year averages of both.
An era (start, end) holds the changes of years start+1..end (end None = the latest year).
Lags: max(floor(4 (n/100)^(2/9)), window - 1).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from decoupling.stats import hac_lags
from decoupling.transform.python_models import empty_frame, parse_doc, write_table

TABLE = "marts.c1_pass_through"
READS = ("marts.c1_pass_through_inputs",)
ERAS: tuple[tuple[int, int | None], ...] = ((1948, 1973), (1973, 2000), (1979, 2000), (2000, None))
PAY = {"typical": "typical_real", "mean": "mean_real"}
SMOOTHING = {"annual": 1, "ma3": 3}
MIN_OBS = 10  # fewer years give no slope worth reporting
DOC = """
-- Pass-through of productivity growth to real pay growth by era (C1, "the link has weakened"), Stansbury & Summers (2017) style: OLS of annual log growth of real pay on annual log growth of real net productivity (marts.c1_pass_through_inputs), Newey-West HAC errors with small-sample correction and t-based 95% intervals.
-- column pay: typical (production/nonsupervisory compensation) or mean (compensation per employee hour)
-- column smoothing: annual (one-year changes) or ma3 (trailing 3-year averages of both)
-- column era: START-END years; the changes of years START+1..END
-- column n_obs: Years fitted
-- column coefficient: Pass-through: pp of pay growth per pp of productivity growth
-- column ci_low: Lower bound of the 95% interval (HAC, t)
-- column ci_high: Upper bound of the 95% interval (HAC, t)
-- column hac_lags: Newey-West lags used
-- column ndp_source: The NDP and price index behind productivity (marts.c1_pass_through_inputs)
"""
DESCRIPTION, COLUMNS = parse_doc(DOC)


def fit(
    pay_growth: np.ndarray, productivity_growth: np.ndarray, lags: int
) -> tuple[float, float, float]:
    import statsmodels.api as sm  # here, not at import: the report imports this module (1.5 s)

    result = sm.OLS(pay_growth, sm.add_constant(productivity_growth)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    low, high = result.conf_int(alpha=0.05)[1]
    return float(result.params[1]), float(low), float(high)


def growth_series(data: pd.DataFrame):
    """(pay, smoothing, window, frame of annual log growth 'prod' and 'pay' indexed by year) for
    each pay measure and smoothing; `data` is marts.c1_pass_through_inputs indexed by year."""
    for pay, column in PAY.items():
        growth = pd.DataFrame(
            {
                "prod": np.log(data["productivity_real"].astype(float)).diff(),
                "pay": np.log(data[column].astype(float)).diff(),
            }
        )
        for smoothing, window in SMOOTHING.items():
            smoothed = growth.rolling(window).mean().dropna() if window > 1 else growth.dropna()
            yield pay, smoothing, window, smoothed


FIT_TYPES = {"n_obs": np.int64, "hac_lags": np.int64}  # of fit_sample's integer columns


def fit_sample(sample: pd.DataFrame, window: int) -> dict:
    """One sample's fit: years, slope, 95% interval and HAC lags (at least window - 1, the
    overlap of a moving average's changes)."""
    lags = max(hac_lags(len(sample)), window - 1)
    coefficient, low, high = fit(sample["pay"].to_numpy(), sample["prod"].to_numpy(), lags)
    return {
        "n_obs": len(sample),
        "coefficient": coefficient,
        "ci_low": low,
        "ci_high": high,
        "hac_lags": lags,
    }


def build(con: duckdb.DuckDBPyConnection) -> None:
    data = con.execute(f"SELECT * FROM {READS[0]} ORDER BY year").df().set_index("year")
    rows = []
    for pay, smoothing, window, smoothed in growth_series(data):
        for start, end in ERAS:
            last = end if end is not None else (int(smoothed.index.max()) if len(smoothed) else 0)
            sample = smoothed[(smoothed.index > start) & (smoothed.index <= last)]
            if len(sample) < MIN_OBS:
                continue
            rows.append(
                {
                    "pay": pay,
                    "smoothing": smoothing,
                    "era": f"{start}-{last}",
                    **fit_sample(sample, window),
                    "ndp_source": data["ndp_source"].iloc[0],
                }
            )
    frame = pd.DataFrame(rows) if rows else _empty()
    write_table(con, TABLE, frame, COLUMNS)


def _empty() -> pd.DataFrame:
    return empty_frame(
        COLUMNS, {"pay": str, "smoothing": str, "era": str, "ndp_source": str, **FIT_TYPES}
    )
