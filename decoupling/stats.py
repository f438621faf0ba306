"""Shared pieces of the C3 trend models: eras and break date (configurable), time axis, HAC lags,
and the asymptotic distribution of the sup-Wald break statistic.

Eras: DECOUPLING_ERAS, comma-separated `START-END` years (`END` empty = latest), default
`1948-1979,1980-2007,2008-`. Break date for the Chow test: DECOUPLING_BREAK_DATE (YYYY-MM-DD,
default 1980-01-01, the first quarter of the "neoliberal" era).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from decoupling.settings import ConfigError

ERAS_ENV = "DECOUPLING_ERAS"
BREAK_ENV = "DECOUPLING_BREAK_DATE"
DEFAULT_ERAS = "1948-1979,1980-2007,2008-"
DEFAULT_BREAK = "1980-01-01"
TRIM = 0.15  # sup-Wald searches the middle 70% of the sample (Andrews 1993)
_ERA = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})?\s*$")


@dataclass(frozen=True)
class Era:
    start_year: int
    end_year: int | None  # None = latest

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.end_year if self.end_year else 'latest'}"

    def mask(self, dates: pd.Series) -> pd.Series:
        years = pd.to_datetime(dates).dt.year
        upper = years <= self.end_year if self.end_year else True
        return (years >= self.start_year) & upper


def eras(text: str | None = None) -> list[Era]:
    """The eras to fit, from `text` or DECOUPLING_ERAS; a bad value is a ConfigError naming it."""
    text = text if text is not None else os.environ.get(ERAS_ENV) or DEFAULT_ERAS
    found = []
    for part in text.split(","):
        match = _ERA.match(part)
        if not match:
            raise ConfigError(
                f"DECOUPLING_ERAS: {part.strip()!r} is not START-END (e.g. 1980-2007)"
            )
        start, end = int(match.group(1)), int(match.group(2)) if match.group(2) else None
        if end is not None and end < start:
            raise ConfigError(f"DECOUPLING_ERAS: era {part.strip()!r} ends before it starts")
        found.append(Era(start, end))
    return found


def break_date(text: str | None = None) -> date:
    text = text if text is not None else os.environ.get(BREAK_ENV) or DEFAULT_BREAK
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"DECOUPLING_BREAK_DATE: {text!r} is not YYYY-MM-DD") from None


def decimal_year(dates: pd.Series) -> np.ndarray:
    """1980-01-01 -> 1980.0, 1980-04-01 -> 1980.25: the regressor of every trend."""
    stamps = pd.to_datetime(dates)
    return (stamps.dt.year + (stamps.dt.month - 1) / 12.0).to_numpy(dtype=float)


def hac_lags(n_obs: int) -> int:
    """Newey-West's rule of thumb, floor(4 (n/100)^(2/9)) (statsmodels' own default)."""
    return int(math.floor(4 * (n_obs / 100.0) ** (2.0 / 9.0)))


@lru_cache(maxsize=8)
def sup_wald_null(
    restrictions: int, trim: float = TRIM, reps: int = 4000, steps: int = 2000
) -> np.ndarray:
    """Draws of the sup-Wald statistic's asymptotic null distribution (Andrews 1993):
    sup over the trimmed fractions p of |W(p) - p W(1)|^2 / (p (1 - p)), W a Brownian motion with
    `restrictions` dimensions. Simulated with a fixed seed, so the p-values are reproducible."""
    rng = np.random.default_rng(19930701)
    grid = np.arange(1, steps + 1) / steps
    kept = np.flatnonzero((grid >= trim) & (grid <= 1 - trim))
    lo, hi = kept[0], kept[-1] + 1  # one run: the grid is increasing
    p = grid[lo:hi]
    root = math.sqrt(steps)
    # Same draws and the same float operations as the plain
    # `bridge = walk[:, keep] - p * walk[:, -1:]` on the whole scaled walk, without its copies:
    # buffers reused across blocks, and only the trimmed slice and the end point scaled.
    size = min(500, reps)
    walk_buffer = np.empty((size, steps, restrictions))
    bridge_buffer = np.empty((size, hi - lo, restrictions))
    shift_buffer = np.empty_like(bridge_buffer)
    draws = np.empty(reps)
    for start in range(0, reps, 500):
        block = min(500, reps - start)
        walk = rng.standard_normal(out=walk_buffer[:block])
        np.cumsum(walk, axis=1, out=walk)
        bridge = np.divide(walk[:, lo:hi], root, out=bridge_buffer[:block])
        shift = np.multiply(p[None, :, None], walk[:, -1:] / root, out=shift_buffer[:block])
        np.subtract(bridge, shift, out=bridge)
        np.square(bridge, out=bridge)
        # a + b is what sum(axis=2) adds for two restrictions, without its slow short-axis reduce.
        stat = bridge[:, :, 0] + bridge[:, :, 1] if restrictions == 2 else bridge.sum(axis=2)
        stat /= p * (1 - p)
        draws[start : start + block] = stat.max(axis=1)
    return np.sort(draws)


def sup_wald_pvalue(statistic: float, restrictions: int, trim: float = TRIM) -> float:
    null = sup_wald_null(restrictions, trim)
    return float((null >= statistic).sum() + 1) / (len(null) + 1)


def sup_wald_critical(level: float, restrictions: int, trim: float = TRIM) -> float:
    return float(np.quantile(sup_wald_null(restrictions, trim), 1 - level))
