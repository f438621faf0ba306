"""Compare every `marts` table and view of two warehouses, row for row.

    python -m tests.compare_marts BEFORE.duckdb AFTER.duckdb

Used to show that a restructure changed no analysis output: for each object in `marts` of either
file it prints `same`, `differs` (with the count of rows in one and not the other) or `only in`.
Rows are matched after sorting on every column; floating-point values are equal within a relative
1e-9, because DuckDB's parallel `avg()` may differ in the last bit between builds of the same data. Exit 1 on any
difference.
"""

from __future__ import annotations

import sys

import duckdb
import numpy as np
import pandas as pd


def _objects(con: duckdb.DuckDBPyConnection, alias: str) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = ? AND table_schema = 'marts'",
        [alias],
    ).fetchall()
    return {r[0] for r in rows}


def _frame(con: duckdb.DuckDBPyConnection, alias: str, table: str) -> pd.DataFrame:
    frame = con.execute(f'SELECT * FROM {alias}.marts."{table}"').df()
    for column in frame.columns:  # list columns: compare their text
        if frame[column].dtype == object:
            frame[column] = frame[column].map(
                lambda v: repr(list(v)) if hasattr(v, "__len__") and not isinstance(v, str) else v
            )
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    # sort on every column, floats rounded to 9 significant digits, so row order is comparable
    keys = frame.copy()
    for column in floats:
        keys[column] = keys[column].map(lambda v: float(f"{v:.9g}") if v == v else v)
    order = keys.sort_values(list(keys.columns), na_position="first", kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def _differing_rows(a: pd.DataFrame, b: pd.DataFrame) -> int:
    if len(a) != len(b):
        return abs(len(a) - len(b)) or 1
    bad = np.zeros(len(a), dtype=bool)
    for column in a.columns:
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x) and pd.api.types.is_float_dtype(y):
            same = np.isclose(x, y, rtol=1e-9, atol=0, equal_nan=True)
        else:
            same = (x == y) | (x.isna() & y.isna())
        bad |= ~np.asarray(same, dtype=bool)
    return int(bad.sum())


def compare(before: str, after: str) -> list[str]:
    """One line per marts object; the lines of objects that differ start with 'DIFF'."""
    con = duckdb.connect()
    con.execute("ATTACH ? AS a (READ_ONLY)", [before])
    con.execute("ATTACH ? AS b (READ_ONLY)", [after])
    lines = []
    left, right = _objects(con, "a"), _objects(con, "b")
    for table in sorted(left | right):
        if table not in right or table not in left:
            lines.append(f"DIFF {table}: only in {'before' if table in left else 'after'}")
            continue
        a, b = _frame(con, "a", table), _frame(con, "b", table)
        if list(a.columns) != list(b.columns):
            lines.append(f"DIFF {table}: columns {list(a.columns)} != {list(b.columns)}")
            continue
        differing = _differing_rows(a, b)
        if differing:
            lines.append(f"DIFF {table}: {differing} of {len(a)} rows differ")
        else:
            lines.append(f"same {table} ({len(a)} rows)")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.compare_marts BEFORE.duckdb AFTER.duckdb", file=sys.stderr)
        return 2
    lines = compare(*argv)
    print("\n".join(lines))
    return 1 if any(line.startswith("DIFF") for line in lines) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
