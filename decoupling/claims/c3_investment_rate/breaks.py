"""C3: structural-break tests of each investment-rate trend.

Model over a definition's whole sample: rate = a + b t + c D + e D t, D = 1 from the break on
(a shift in level and in trend). Two tests of c = e = 0:
- chow: at a given date (DECOUPLING_BREAK_DATE, default 1980-01-01). Both the classical Chow F
  (which assumes independent errors and over-rejects on these autocorrelated series) and a Wald
  statistic with HAC (Newey-West) covariance, chi-squared with 2 degrees of freedom.
- sup_wald: the unknown-date search (Andrews 1993): the HAC Wald statistic at every quarter in
  the middle 70% of the sample, its maximum and where it is reached; the p-value and the 5%
  critical value come from the statistic's asymptotic distribution, simulated (seeded).

The fits are numpy, vectorised over the candidate breaks, and follow statsmodels' own arithmetic
(OLS through the SVD pseudo-inverse, cov_type="HAC" with use_correction=True, wald_test and
f_test) and reproduce it bit for bit. Not a better-conditioned route (e.g. centred t): with a
trend in calendar years statsmodels' own rounding reaches ~3e-7 relative, so another route would
no longer match it to the 1e-9 the tests check.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from decoupling.stats import (
    TRIM,
    break_date,
    decimal_year,
    hac_lags,
    sup_wald_critical,
    sup_wald_pvalue,
)
from decoupling.transform.python_models import empty_frame, parse_doc, write_table

TABLE = "marts.investment_breaks"
READS = ("marts.investment_rate",)
DOC = """
-- Structural-break tests of every investment-rate definition (C3), over its whole sample: rate =
-- a + b t + c D + e D t with D = 1 from the break; Chow at a given date (DECOUPLING_BREAK_DATE,
-- default 1980Q1) and the sup-Wald search for an unknown date (Andrews 1993, 15% trimming), HAC
-- (Newey-West) covariance; computed with numpy, reproducing statsmodels' OLS and HAC fits.
-- column definition: Investment-rate definition (marts.investment_rate.definition)
-- column test: chow (given date) or sup_wald (unknown date)
-- column break_date: Break tested (chow) or found (sup_wald): first quarter of the new regime
-- column sample_start: First quarter of the sample
-- column sample_end: Last quarter of the sample
-- column n_obs: Quarters in the sample
-- column wald_hac: Wald statistic of no shift in level and trend (c = e = 0), HAC covariance
-- column p_value_hac: p-value of wald_hac: chi-squared(2) for chow, simulated Andrews distribution for sup_wald
-- column critical_5pct: 5% critical value of wald_hac (chi-squared(2) for chow; Andrews sup-Wald for sup_wald)
-- column f_classic: Classical Chow F statistic at the same date (independent errors assumed)
-- column p_value_classic: p-value of f_classic, F(2, n - 4)
-- column slope_before_pp_per_decade: Trend before the break, percentage points per decade
-- column slope_after_pp_per_decade: Trend from the break on, percentage points per decade
-- column hac_lags: Newey-West lags used
"""
DESCRIPTION, COLUMNS = parse_doc(DOC)
RESTRICTIONS = np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
PP_PER_DECADE = 100.0 * 10.0


def design(t: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Columns 1, t, D, D t; `after` (n,) gives (n, 4), a stack (m, n) gives (m, n, 4)."""
    dummy = after.astype(float)
    return np.stack([np.ones_like(dummy), np.broadcast_to(t, dummy.shape), dummy, dummy * t], -1)


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _quadratic(v: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """v' pinv(cov) v per break, as statsmodels' wald_test and f_test compute it."""
    return (v[:, None, :] @ np.linalg.pinv(cov) @ v[:, :, None])[:, 0, 0]


def break_stats_many(
    t: np.ndarray, y: np.ndarray, afters: np.ndarray, lags: int
) -> dict[str, np.ndarray]:
    """break_stats for each row of `afters` (m, n): the same keys, arrays of m values."""
    from scipy import stats  # here, not at import: the report imports this module (0.8 s)

    x = design(t, afters)
    n, k = x.shape[-2:]
    # OLS as statsmodels fits it (method="pinv", tools.pinv_extended).
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    s_inv = np.zeros_like(s)
    np.divide(1.0, s, out=s_inv, where=s > 1e-15 * s.max(axis=-1, keepdims=True))
    pinv = _t(vt) @ (s_inv[..., None] * _t(u))
    bread = pinv @ _t(pinv)  # (X'X)^-1, statsmodels' normalized_cov_params
    params = (pinv @ y[:, None])[..., 0]
    resid = y - (x @ params[..., None])[..., 0]
    # Newey-West as sandwich_covariance.cov_hac_simple: Bartlett weights 1 - l / (lags + 1),
    # then the small-sample factor n / (n - k).
    xu = x * resid[..., None]
    weights = 1 - np.arange(lags + 1) / (lags + 1.0)
    meat = weights[0] * (_t(xu) @ xu)
    for lag in range(1, lags + 1):
        cross = _t(xu[:, lag:]) @ xu[:, :-lag]
        meat += weights[lag] * (cross + _t(cross))
    cov_hac = (bread @ meat) @ _t(bread)
    cov_hac *= n / float(n - k)
    restricted = params @ RESTRICTIONS.T
    wald = _quadratic(restricted, RESTRICTIONS @ (cov_hac @ RESTRICTIONS.T))
    # Classical F as OLS f_test: the same quadratic form with cov = scale (X'X)^-1, over q;
    # equal to ((RSS_r - RSS_u) / q) / (RSS_u / (n - k)).
    scale = (resid[:, None, :] @ resid[:, :, None])[:, 0, 0] / (n - k)
    cov_ols = bread * scale[:, None, None]
    q = RESTRICTIONS.shape[0]
    f_classic = _quadratic(restricted, RESTRICTIONS @ (cov_ols @ RESTRICTIONS.T)) / float(q)
    return {
        "wald_hac": wald,
        "f_classic": f_classic,
        "p_value_classic": stats.f.sf(f_classic, q, n - k),
        "slope_before_pp_per_decade": params[:, 1] * PP_PER_DECADE,
        "slope_after_pp_per_decade": (params[:, 1] + params[:, 3]) * PP_PER_DECADE,
    }


def break_stats(t: np.ndarray, y: np.ndarray, after: np.ndarray, lags: int) -> dict:
    """HAC Wald and classical F of c = e = 0 for one break, and the slopes either side."""
    return {key: float(v[0]) for key, v in break_stats_many(t, y, after[None, :], lags).items()}


def candidates(n_obs: int, trim: float = TRIM) -> range:
    """Positions of the first quarter after the break that the sup search tries."""
    return range(int(np.ceil(trim * n_obs)), int(np.floor((1 - trim) * n_obs)) + 1)


def tests_for(dates: pd.Series, rates: pd.Series, given: date) -> list[dict]:
    from scipy import stats

    t = decimal_year(dates)
    y = rates.to_numpy(dtype=float)
    stamps = pd.to_datetime(dates).reset_index(drop=True)
    lags = hac_lags(len(y))
    common = {
        "sample_start": stamps.iloc[0].date(),
        "sample_end": stamps.iloc[-1].date(),
        "n_obs": len(y),
        "hac_lags": lags,
    }
    rows = []
    after = (stamps >= pd.Timestamp(given)).to_numpy()
    if 2 < after.sum() < len(y) - 2:
        stats_given = break_stats(t, y, after, lags)
        rows.append(
            {
                "test": "chow",
                "break_date": given,
                **common,
                **stats_given,
                "p_value_hac": float(stats.chi2.sf(stats_given["wald_hac"], 2)),
                "critical_5pct": float(stats.chi2.ppf(0.95, 2)),
            }
        )
    positions = np.array(candidates(len(y)))
    if positions.size:
        found = break_stats_many(t, y, np.arange(len(y)) >= positions[:, None], lags)
        best = int(np.argmax(found["wald_hac"]))  # the first of equal maxima
        rows.append(
            {
                "test": "sup_wald",
                "break_date": stamps.iloc[positions[best]].date(),
                **common,
                **{key: float(v[best]) for key, v in found.items()},
                "p_value_hac": sup_wald_pvalue(float(found["wald_hac"][best]), 2),
                "critical_5pct": sup_wald_critical(0.05, 2),
            }
        )
    return rows


def build(con: duckdb.DuckDBPyConnection) -> None:
    data = con.execute(
        "SELECT date, definition, rate FROM marts.investment_rate "
        "WHERE rate IS NOT NULL ORDER BY definition, date"
    ).df()
    given = break_date()
    rows = []
    for definition, group in data.groupby("definition", sort=True):
        if len(group) < 20:  # too short to split
            continue
        for row in tests_for(group["date"], group["rate"], given):
            rows.append({"definition": definition, **row})
    frame = pd.DataFrame(rows) if rows else _empty()
    write_table(con, TABLE, frame, COLUMNS)


def _empty() -> pd.DataFrame:
    types = {
        "definition": str,
        "test": str,
        "break_date": "datetime64[ns]",
        "sample_start": "datetime64[ns]",
        "sample_end": "datetime64[ns]",
        "n_obs": np.int64,
        "hac_lags": np.int64,
    }
    return empty_frame(COLUMNS, types)
