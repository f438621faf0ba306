"""C1 "the link has weakened", window by window: the pass-through of productivity growth to pay
growth in every 20-year window (Stansbury & Summers 2017 show it this way), with the eras' fit
(pass_through.fit_sample: OLS, Newey-West HAC, t-based 95% interval). The eras table stays the
scorecard's; these windows show when the link moved.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from decoupling.claims.c1_productivity_pay.pass_through import (
    FIT_TYPES,
    fit_sample,
    growth_series,
)
from decoupling.transform.python_models import empty_frame, parse_doc, write_table

TABLE = "marts.c1_pass_through_rolling"
READS = ("marts.c1_pass_through_inputs",)
WINDOW_YEARS = 20
DOC = """
-- Pass-through of productivity growth to real pay growth in rolling 20-year windows (C1): OLS of annual log growth of real pay on annual log growth of real net productivity (marts.c1_pass_through_inputs), Newey-West HAC errors with small-sample correction and t-based 95% intervals, as marts.c1_pass_through does by era.
-- column pay: typical (production/nonsupervisory compensation) or mean (compensation per employee hour)
-- column smoothing: annual (one-year changes) or ma3 (trailing 3-year averages of both)
-- column first_year: First year whose change is in the window
-- column last_year: Last year of the window
-- column n_obs: Years fitted
-- column coefficient: Pass-through: pp of pay growth per pp of productivity growth
-- column ci_low: Lower bound of the 95% interval (HAC, t)
-- column ci_high: Upper bound of the 95% interval (HAC, t)
-- column hac_lags: Newey-West lags used
"""
DESCRIPTION, COLUMNS = parse_doc(DOC)


def build(con: duckdb.DuckDBPyConnection) -> None:
    data = con.execute(f"SELECT * FROM {READS[0]} ORDER BY year").df().set_index("year")
    rows = []
    for pay, smoothing, window, smoothed in growth_series(data):
        years = smoothed.index.astype(int)
        for last in years:
            sample = smoothed[(years > last - WINDOW_YEARS) & (years <= last)]
            if len(sample) < WINDOW_YEARS:  # whole windows only
                continue
            rows.append(
                {
                    "pay": pay,
                    "smoothing": smoothing,
                    "first_year": int(sample.index.min()),
                    "last_year": int(last),
                    **fit_sample(sample, window),
                }
            )
    frame = pd.DataFrame(rows) if rows else _empty()
    write_table(con, TABLE, frame, COLUMNS)


def _empty() -> pd.DataFrame:
    types = {"pay": str, "smoothing": str, "first_year": np.int64, "last_year": np.int64}
    return empty_frame(COLUMNS, {**types, **FIT_TYPES})
