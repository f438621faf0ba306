"""C3 era slopes and break statistics, checked against statsmodels run directly on the snapshot
CSV files (not on the warehouse), and the model hook's contract."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from decoupling import stats as tt
from decoupling.settings import ConfigError
from decoupling.transform.python_models import python_models

DEFINITIONS = {
    # definition: (investment file, profit file)
    "pnfi_cprofit": ("PNFI", "CPROFIT"),
    "gpdi_cprofit": ("GPDI", "CPROFIT"),
    "pnfi_cpatax": ("PNFI", "CPATAX"),
}
ERAS = [(1948, 1979), (1980, 2007), (2008, None)]


def csv_rate(snapshot_dir, investment: str, profit: str) -> pd.DataFrame:
    """investment / (profit + COFC) straight from the FRED-layout files."""

    def load(series_id):
        frame = pd.read_csv(snapshot_dir / f"{series_id}.csv", parse_dates=["observation_date"])
        return frame.set_index("observation_date")[series_id]

    joined = pd.concat([load(investment), load(profit), load("COFC")], axis=1, join="inner")
    rate = joined[investment] / (joined[profit] + joined["COFC"])
    return rate.dropna().rename("rate").reset_index().rename(columns={"observation_date": "date"})


def years(dates: pd.Series) -> np.ndarray:
    return (dates.dt.year + (dates.dt.month - 1) / 12.0).to_numpy(float)


@pytest.mark.parametrize("definition", sorted(DEFINITIONS))
def test_era_slopes_match_statsmodels_on_the_csv(snapshot_dir, warehouse_ro, definition):
    data = csv_rate(snapshot_dir, *DEFINITIONS[definition])
    mart = warehouse_ro.execute(
        "SELECT * FROM marts.investment_trends WHERE definition = ? ORDER BY era_start",
        [definition],
    ).df()
    assert list(mart["era"]) == ["1948-1979", "1980-2007", "2008-latest"]
    for (start, end), (_, row) in zip(ERAS, mart.iterrows(), strict=True):
        part = data[(data["date"].dt.year >= start) & (data["date"].dt.year <= (end or 9999))]
        lags = math.floor(4 * (len(part) / 100) ** (2 / 9))
        fit = sm.OLS(part["rate"].to_numpy(), sm.add_constant(years(part["date"]))).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}
        )
        low, high = fit.conf_int(0.05)[1]
        assert row["n_obs"] == len(part)
        assert row["hac_lags"] == lags
        assert row["slope_pp_per_decade"] == pytest.approx(fit.params[1] * 1000, rel=1e-9)
        assert row["ci_low_pp_per_decade"] == pytest.approx(low * 1000, rel=1e-9)
        assert row["ci_high_pp_per_decade"] == pytest.approx(high * 1000, rel=1e-9)
        assert row["p_value"] == pytest.approx(fit.pvalues[1], rel=1e-6, abs=1e-300)
        assert row["mean_rate"] == pytest.approx(part["rate"].mean(), rel=1e-12)
        expected_trend = "rising" if low > 0 else "falling" if high < 0 else "flat"
        assert row["trend"] == expected_trend


def _break_design(t, after):
    d = after.astype(float)
    return np.column_stack([np.ones_like(t), t, d, d * t])


def test_break_statistics_match_statsmodels_on_the_csv(snapshot_dir, warehouse_ro):
    data = csv_rate(snapshot_dir, "PNFI", "CPROFIT")
    t, y = years(data["date"]), data["rate"].to_numpy()
    n = len(y)
    lags = math.floor(4 * (n / 100) ** (2 / 9))
    r = np.array([[0, 0, 1, 0], [0, 0, 0, 1]], dtype=float)
    mart = warehouse_ro.execute(
        "SELECT * FROM marts.investment_breaks WHERE definition = 'pnfi_cprofit'"
    ).df()
    chow = mart[mart["test"] == "chow"].iloc[0]
    after = (data["date"] >= "1980-01-01").to_numpy()
    x = _break_design(t, after)
    hac = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    wald = float(np.squeeze(hac.wald_test(r, use_f=False, scalar=True).statistic))
    # Classical Chow F from the three regressions' residual sums of squares.
    ssr_all = sm.OLS(y, sm.add_constant(t)).fit().ssr
    ssr_split = sum(sm.OLS(y[m], sm.add_constant(t[m])).fit().ssr for m in (~after, after))
    f_chow = ((ssr_all - ssr_split) / 2) / (ssr_split / (n - 4))
    assert pd.Timestamp(chow["break_date"]) == pd.Timestamp("1980-01-01")
    assert chow["n_obs"] == n
    assert chow["wald_hac"] == pytest.approx(wald, rel=1e-9)
    assert chow["p_value_hac"] == pytest.approx(stats.chi2.sf(wald, 2), rel=1e-6, abs=1e-300)
    assert chow["f_classic"] == pytest.approx(f_chow, rel=1e-7)
    assert chow["p_value_classic"] == pytest.approx(
        stats.f.sf(f_chow, 2, n - 4), rel=1e-5, abs=1e-300
    )
    assert chow["slope_after_pp_per_decade"] == pytest.approx(
        (hac.params[1] + hac.params[3]) * 1000, rel=1e-9
    )
    # sup-Wald: the largest HAC Wald over the middle 70% of the sample, and where.
    best = (-1.0, None)
    for position in range(math.ceil(0.15 * n), math.floor(0.85 * n) + 1):
        x = _break_design(t, np.arange(n) >= position)
        fit = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
        stat = float(np.squeeze(fit.wald_test(r, use_f=False, scalar=True).statistic))
        if stat > best[0]:
            best = (stat, data["date"].iloc[position])
    sup = mart[mart["test"] == "sup_wald"].iloc[0]
    assert sup["wald_hac"] == pytest.approx(best[0], rel=1e-9)
    assert pd.Timestamp(sup["break_date"]) == best[1]
    assert sup["critical_5pct"] > stats.chi2.ppf(0.95, 2)  # searching costs size


def test_numpy_break_stats_match_statsmodels_on_autocorrelated_series():
    from decoupling.claims.c3_investment_rate.breaks import (
        RESTRICTIONS,
        break_stats,
        break_stats_many,
    )

    rng = np.random.default_rng(7)
    n = 120
    t = 1960 + np.arange(n) / 4  # calendar years, as the models use: an ill-conditioned design
    errors = np.zeros(n)
    for i in range(1, n):  # AR(1), so the HAC correction matters
        errors[i] = 0.7 * errors[i - 1] + rng.normal(scale=0.01)
    y = 0.3 + 0.002 * (t - 1960) - 0.004 * np.clip(t - 1985, 0, None) + errors
    lags = tt.hac_lags(n)
    positions = [18, 60, 101]
    many = break_stats_many(t, y, np.arange(n) >= np.array(positions)[:, None], lags)
    for i, position in enumerate(positions):
        after = np.arange(n) >= position
        x = _break_design(t, after)
        hac = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
        wald = float(np.squeeze(hac.wald_test(RESTRICTIONS, use_f=False, scalar=True).statistic))
        classic = sm.OLS(y, x).fit().f_test(RESTRICTIONS)
        expected = {
            "wald_hac": wald,
            "f_classic": float(np.squeeze(classic.fvalue)),
            "p_value_classic": float(np.squeeze(classic.pvalue)),
            "slope_before_pp_per_decade": hac.params[1] * 1000,
            "slope_after_pp_per_decade": (hac.params[1] + hac.params[3]) * 1000,
        }
        one = break_stats(t, y, after, lags)
        assert one.keys() == expected.keys() == many.keys()
        for key, value in expected.items():
            assert one[key] == pytest.approx(value, rel=1e-9, abs=1e-300), key
            assert many[key][i] == one[key], key


def test_sup_wald_null_matches_andrews_table():
    # Andrews (1993) Table 1, 15% trimming: p = 1, 10% critical value 7.12; p = 2, 5%: 11.79.
    assert tt.sup_wald_critical(0.10, 1) == pytest.approx(7.12, abs=0.35)
    assert tt.sup_wald_critical(0.05, 2) == pytest.approx(11.79, abs=0.45)
    assert tt.sup_wald_pvalue(30.0, 2) < tt.sup_wald_pvalue(12.0, 2) < tt.sup_wald_pvalue(5.0, 2)


def test_eras_and_break_date_are_configurable(monkeypatch, warehouse_copy):
    copy = warehouse_copy
    con = duckdb.connect(str(copy))
    from decoupling.claims.c3_investment_rate import breaks as investment_breaks
    from decoupling.claims.c3_investment_rate import trends as investment_trends

    monkeypatch.setenv("DECOUPLING_ERAS", "1960-1989,1990-")
    monkeypatch.setenv("DECOUPLING_BREAK_DATE", "2000-01-01")
    investment_trends.build(con)
    investment_breaks.build(con)
    eras = con.execute("SELECT DISTINCT era FROM marts.investment_trends ORDER BY era").fetchall()
    assert [e[0] for e in eras] == ["1960-1989", "1990-latest"]
    dates = con.execute(
        "SELECT DISTINCT break_date FROM marts.investment_breaks WHERE test = 'chow'"
    ).fetchall()
    assert [str(d[0])[:10] for d in dates] == ["2000-01-01"]
    con.close()


@pytest.mark.parametrize("bad", ["1980", "1990-1980", "x-2000"])
def test_bad_era_setting_is_one_clear_error(bad):
    with pytest.raises(ConfigError, match="DECOUPLING_ERAS"):
        tt.eras(bad)
    with pytest.raises(ConfigError, match="DECOUPLING_BREAK_DATE"):
        tt.break_date("1980Q1")


def test_python_models_are_documented_and_ordered(warehouse_ro):
    from decoupling.transform import discover

    models = {m.qualified: m for m in python_models()}
    assert {"marts.investment_trends", "marts.investment_breaks"} <= set(models)
    models = {k: models[k] for k in ("marts.investment_trends", "marts.investment_breaks")}
    order = [m.qualified for m in discover()]
    for name, model in models.items():
        assert model.depends_on == {"marts.investment_rate"}
        assert order.index("marts.investment_rate") < order.index(name)
        assert order.index(name) < order.index("marts.claims_c3")
        comments = warehouse_ro.execute(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = 'marts' AND table_name = ?",
            [model.name],
        ).fetchall()
        assert comments and all(comment for _, comment in comments)


def test_python_model_with_undocumented_column_fails(tmp_path):
    from decoupling.transform import Model, TransformError, document
    from decoupling.transform.python_models import _guarded, write_table

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")

    def build(c):
        write_table(c, "marts.toy", pd.DataFrame({"a": [1.0], "b": [2.0]}), {"a": "x", "b": "y"})

    model = Model("marts", "toy", tmp_path / "toy.py", "", "A toy.", {"a": "documented"}, build)
    model.build(con)
    with pytest.raises(TransformError, match="b have no"):
        document(con, model)

    def broken(c):
        raise ValueError("singular matrix")

    with pytest.raises(TransformError, match="python model toy failed: singular matrix"):
        _guarded("toy", broken)(con)


def test_scorecard_rows_follow_the_trends(warehouse_ro):
    columns = {
        table: [
            r[0]
            for r in warehouse_ro.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'marts' "
                "AND table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
        ]
        for table in ("claims_c1", "claims_c3", "claims_c4", "claims_c5")
    }
    assert (
        columns["claims_c3"] == columns["claims_c4"] == columns["claims_c5"] == columns["claims_c1"]
    )
    rows = warehouse_ro.execute(
        "SELECT metric_id, measured, ci_low, ci_high, verdict FROM marts.claims "
        "WHERE claim_id = 'C3' AND metric_id LIKE 'c3_trend%'"
    ).df()
    headline = warehouse_ro.execute(
        "SELECT split_part(specification, ':', 1) FROM marts.claim_verdicts "
        "WHERE metric_id = 'c3_trend_2008_latest' AND headline"
    ).fetchone()[0]
    held = {
        r[0]
        for r in warehouse_ro.execute("SELECT definition FROM marts.investment_trends").fetchall()
    }
    # Scopes matched on one vintage when the BEA workbook is held, else the mixed-vintage ratio.
    assert headline == ("pnfi_corporate" if "pnfi_corporate" in held else "pnfi_cprofit")
    trends = warehouse_ro.execute(
        "SELECT era, slope_pp_per_decade, ci90_low_pp_per_decade AS low, "
        "ci90_high_pp_per_decade AS high FROM marts.investment_trends "
        "WHERE definition = ? AND era_start >= DATE '1980-01-01'",
        [headline],
    ).df()
    assert len(rows) == len(trends) == 2

    def equivalence(low: float, high: float) -> str:
        # The registry's margins: the whole 90% interval below +1 (supported), +2 (partly).
        grades = [
            "supported" if x <= 1 else "partly supported" if x <= 2 else "not supported"
            for x in (low, high)
        ]
        return grades[0] if grades[0] == grades[1] else "inconclusive"

    for _, trend in trends.iterrows():
        metric = "c3_trend_1980_2007" if trend["era"].startswith("1980") else "c3_trend_2008_latest"
        row = rows[rows["metric_id"] == metric].iloc[0]
        assert row["measured"] == pytest.approx(trend["slope_pp_per_decade"])
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((trend["low"], trend["high"]))
        assert row["verdict"] == equivalence(trend["low"], trend["high"])


def test_bad_era_setting_exits_2_and_changes_nothing(warehouse_copy):
    import os
    import subprocess
    import sys
    from pathlib import Path

    copy = warehouse_copy
    before = copy.read_bytes()
    env = {**os.environ, "DECOUPLING_ERAS": "1980"}
    done = subprocess.run(
        [sys.executable, "-m", "decoupling.cli", "transform", "--warehouse", str(copy)],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: DECOUPLING_ERAS: '1980' is not START-END (e.g. 1980-2007)"]
    assert copy.read_bytes() == before


def test_era_settings_are_part_of_the_refresh_fingerprint(monkeypatch):
    from decoupling import fingerprint

    monkeypatch.delenv("DECOUPLING_ERAS", raising=False)
    default = fingerprint.of([])
    monkeypatch.setenv("DECOUPLING_ERAS", "1960-1989,1990-")
    assert fingerprint.of([]) != default
    monkeypatch.setenv("DECOUPLING_ERAS", "")
    monkeypatch.setenv("DECOUPLING_BREAK_DATE", "2000-01-01")
    assert fingerprint.of([]) != default
