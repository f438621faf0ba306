"""Read-only access for analysts: `decoupling query`, `claims` and `status`."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from flows.config import ConfigError, load_settings

# Only statements that read. read_only already refuses writes to the warehouse; this also refuses
# COPY ... TO, ATTACH, INSTALL/LOAD and the like, which would touch other files.
ALLOWED = {"SELECT", "EXPLAIN", "PRAGMA"}


def open_read_only(warehouse: str | None) -> duckdb.DuckDBPyConnection:
    settings = load_settings(warehouse=warehouse)
    if not settings.warehouse.is_file():
        raise ConfigError(
            f"no warehouse at {settings.warehouse}: run 'decoupling refresh' (or 'make run') first"
        )
    return duckdb.connect(
        str(settings.warehouse), read_only=True, config={"enable_external_access": False}
    )


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ConfigError(f"query does not parse: {str(exc).splitlines()[0]}") from None
    if not statements:
        raise ConfigError("query is empty")
    for statement in statements:
        kind = statement.type.name
        if kind not in ALLOWED:
            raise ConfigError(
                f"refused: {kind} statements are not allowed; the warehouse is read-only here"
            )


def run_query(sql: str, warehouse: str | None = None) -> pd.DataFrame:
    con = open_read_only(warehouse)
    try:
        check_read_only(con, sql)
        try:
            return con.execute(sql).df()
        except duckdb.Error as exc:
            raise ConfigError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def render_table(frame: pd.DataFrame) -> str:
    with pd.option_context(
        "display.max_rows", 200, "display.max_columns", 50, "display.width", 200
    ):
        return frame.to_string(index=False, float_format=lambda v: f"{v:,.4g}")


def write(frame: pd.DataFrame, fmt: str, output: str | None) -> None:
    if fmt == "parquet":
        if not output:
            raise ConfigError("--format parquet needs --output FILE")
        frame.to_parquet(output, index=False)
        return
    if fmt == "csv":
        text = frame.to_csv(index=False)
    elif fmt == "json":
        text = frame.to_json(orient="records", date_format="iso", indent=1) + "\n"
    else:
        text = render_table(frame) + "\n"
    if output:
        Path(output).write_text(text)
    else:
        sys.stdout.write(text)


def main(args) -> int:
    frame = run_query(args.sql, args.warehouse)
    write(frame, args.format, args.output)
    return 0


def claims(args) -> int:
    frame = run_query(
        "SELECT claim_id, metric, claimed, measured, unit, period, verdict, detail "
        "FROM marts.claims ORDER BY claim_id, metric",
        args.warehouse,
    )
    for claim_id, rows in frame.groupby("claim_id", sort=True):
        print(f"{claim_id}")
        for row in rows.itertuples():
            measured = "n/a" if pd.isna(row.measured) else f"{row.measured:,.1f}"
            claimed = "" if pd.isna(row.claimed) else f" (claimed {row.claimed:,.1f})"
            print(f"  [{row.verdict}] {row.metric}: {measured} {row.unit}{claimed}, {row.period}")
            print(f"      {row.detail}")
    return 0


def status(args) -> int:
    con = open_read_only(args.warehouse)
    try:
        run = con.execute(
            "SELECT run_id, command, finished_at, inputs, new_rows, revised_rows "
            "FROM meta.runs ORDER BY finished_at DESC LIMIT 1"
        ).fetchall()
        series = con.execute(
            """
            SELECT s.id, a.available, max(o.date) AS last_obs, count(o.date) AS obs,
                   max(d.accessed_at) AS accessed, any_value(a.reason) AS reason
            FROM meta.series s
            LEFT JOIN meta.availability a ON a.series_id = s.id
            LEFT JOIN staging.observations o ON o.series_id = s.id
            LEFT JOIN meta.downloads d ON d.series_id = s.id
            GROUP BY s.id, a.available ORDER BY s.id
            """
        ).df()
        changes = con.execute(
            "SELECT series_id, new_observations, revised_values, max_abs_revision "
            "FROM meta.changes WHERE run_id = (SELECT run_id FROM meta.runs "
            "WHERE new_rows IS NOT NULL ORDER BY finished_at DESC LIMIT 1) ORDER BY series_id"
        ).df()
    finally:
        con.close()
    run = run[0] if run else None
    if run:
        print(f"last run: {run[0]} ({run[1]}) finished {run[2]:%Y-%m-%d %H:%M UTC} from {run[3]}")
    _print_operations(args.warehouse)
    held = int(series["available"].fillna(False).sum())
    print(f"series held: {held} of {len(series)} in the catalog")
    print(render_table(series))
    if not changes.empty:
        print("\nchanged by the last load:")
        print(render_table(changes))
    return 0


def _print_operations(warehouse: str | None) -> None:
    """Whether a refresh is running now, and what readers see (the published copy)."""
    from flows import exports
    from flows.warehouse import lock_holder

    settings = load_settings(warehouse=warehouse)
    holder = lock_holder(settings)
    print(f"refresh running: yes (pid {holder})" if holder else "refresh running: no")
    current = exports.current_run(settings)
    where = exports.current_dir(settings)
    print(f"readers' copy: {where} (run {current})" if current else "readers' copy: none yet")
