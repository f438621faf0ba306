"""Benchmark: the time-price matrix at synthetic scale, DuckDB (the marts' own SQL) vs pandas.

1,000 wage series x 400 price series x 30 years = 12 million rows. Each engine runs in its own
subprocess so its peak memory (max RSS) is its own. DuckDB runs the model files of the warehouse
(time_price_base_years, time_price_wages, time_price_prices, time_price_matrix) on a file
database, RUNS times each step: `build` (what a refresh does: the small rebased tables and the
view), `evaluate` (every one of the 12 million time prices computed and summed: the work pandas
does), `materialize` (the matrix written out as a table, for comparison). pandas computes the same
matrix in memory. Prints one line per figure (median, min and max seconds; peak RSS; speed-ups).
No timed assertions: only that both engines produce the same matrix. Run: `pytest -s tests/benchmarks/bench_time_price_matrix.py`
(or `python tests/benchmarks/bench_time_price_matrix.py`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import REPO, RUNS, Stats

MODELS = [
    REPO / "sql" / "claims" / "c2_time_prices" / f"{name}.sql"
    for name in (
        "time_price_base_years",
        "time_price_wages",
        "time_price_prices",
        "time_price_matrix",
    )
]
WAGES, PRICES, YEARS, FIRST_YEAR = 1000, 400, 30, 1995


def synthetic_inputs():
    """Wages and price indexes as the staging views deliver them (deterministic)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(20260101)
    years = np.arange(FIRST_YEAR, FIRST_YEAR + YEARS)
    wage_growth = 1 + rng.normal(0.03, 0.02, size=(WAGES, YEARS))
    wage = 10 + 40 * rng.random((WAGES, 1)) * np.cumprod(wage_growth, axis=1)
    price_growth = 1 + rng.normal(0.02, 0.05, size=(PRICES, YEARS))
    price = 100 * np.cumprod(price_growth, axis=1)
    wages = pd.DataFrame(
        {
            "wage_series_id": np.repeat([f"OEWS_{i:06d}_H_MEAN" for i in range(WAGES)], YEARS),
            "year": np.tile(years, WAGES).astype("int64"),
            "wage": wage.ravel(),
        }
    )
    prices = pd.DataFrame(
        {
            "price_series_id": np.repeat([f"CUUR{i:04d}ITEM" for i in range(PRICES)], YEARS),
            "year": np.tile(years, PRICES).astype("int64"),
            "price": price.ravel(),
        }
    )
    return wages, prices


def pandas_matrix(wages, prices):
    """The mart's computation in pandas: join on year, index each pair to its first year."""
    matrix = wages.merge(prices, on="year")
    matrix["time_price"] = matrix["price"] / matrix["wage"]
    matrix.sort_values(["wage_series_id", "price_series_id", "year"], inplace=True)
    pair = matrix.groupby(["wage_series_id", "price_series_id"], sort=False)
    matrix["base_year"] = pair["year"].transform("min")
    matrix["time_price_index"] = 100 * matrix["time_price"] / pair["time_price"].transform("first")
    return matrix.drop(columns="time_price")


def child(engine: str) -> dict:
    """Build the matrix RUNS times in this process; report times, peak RSS and a checksum."""
    import resource

    wages, prices = synthetic_inputs()
    rss_inputs = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times: dict[str, list[float]] = {}

    def timed(step: str, work) -> object:
        start = time.perf_counter()
        result = work()
        times.setdefault(step, []).append(time.perf_counter() - start)
        return result

    if engine == "duckdb":
        import duckdb

        sql = [path.read_text(encoding="utf-8") for path in MODELS]
        with tempfile.TemporaryDirectory() as tmp:
            con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
            con.execute("SET enable_progress_bar = false")
            con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
            con.register("wages_df", wages)
            con.register("prices_df", prices)
            con.execute("CREATE TABLE staging.wage_series AS SELECT * FROM wages_df")
            con.execute("CREATE TABLE staging.price_series AS SELECT * FROM prices_df")
            con.unregister("wages_df")
            con.unregister("prices_df")
            del wages, prices
            evaluate = "SELECT count(*), sum(time_price_index) FROM marts.time_price_matrix"
            materialize = "CREATE OR REPLACE TABLE matrix AS SELECT * FROM marts.time_price_matrix"
            for _ in range(RUNS):
                timed("build", lambda: [con.execute(text) for text in sql])
                rows, checksum = timed("evaluate", lambda: con.execute(evaluate).fetchall()[0])
            peak_evaluate = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            for _ in range(RUNS):
                timed("materialize", lambda: con.execute(materialize).fetchall())
            con.close()
    else:
        peak_evaluate = None
        for _ in range(RUNS):
            matrix = timed("evaluate", lambda: pandas_matrix(wages, prices))
            rows, checksum = len(matrix), float(matrix["time_price_index"].sum())
            del matrix
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "engine": engine,
        "times": times,
        "peak_rss_mb": peak,
        "peak_rss_evaluate_mb": peak_evaluate,
        "inputs_rss_mb": rss_inputs,
        "rows": int(rows),
        "checksum": float(checksum),
    }


def run_engine(engine: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", engine],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(result: dict) -> None:
    engine = result["engine"]
    for step, times in result["times"].items():
        print(
            f"time_price_matrix {engine} {step}: median {Stats(times).median:.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} runs)"
        )
    if result["peak_rss_evaluate_mb"]:
        print(
            f"time_price_matrix {engine}: peak RSS after build and evaluate "
            f"{result['peak_rss_evaluate_mb']:.0f} MB"
        )
    print(
        f"time_price_matrix {engine}: peak RSS overall {result['peak_rss_mb']:.0f} MB "
        f"(inputs and interpreter {result['inputs_rss_mb']:.0f} MB)"
    )


def test_time_price_matrix_duckdb_vs_pandas():
    results = {engine: run_engine(engine) for engine in ("duckdb", "pandas")}
    print(f"\ntime_price_matrix scale: {WAGES} wage x {PRICES} price series x {YEARS} years")
    for result in results.values():
        report(result)
    duck, pand = results["duckdb"]["times"], results["pandas"]["times"]
    pandas_time = Stats(pand["evaluate"]).median
    for label, duck_time in (
        ("build + evaluate", Stats(duck["build"]).median + Stats(duck["evaluate"]).median),
        ("build + materialize", Stats(duck["build"]).median + Stats(duck["materialize"]).median),
    ):
        print(
            f"time_price_matrix speed-up, pandas / duckdb {label}: {pandas_time / duck_time:.1f}x"
        )
    # Both engines compute the same matrix.
    assert results["duckdb"]["rows"] == results["pandas"]["rows"] == WAGES * PRICES * YEARS
    checksum = results["pandas"]["checksum"]
    assert abs(results["duckdb"]["checksum"] - checksum) <= 1e-9 * abs(checksum)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    else:
        test_time_price_matrix_duckdb_vs_pandas()
