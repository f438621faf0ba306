"""Read-only access for analysts: `decoupling query`, `claims` and `status`.

`query` opens the warehouse read-only with external access off, and before running anything
refuses every statement that is not a read (INSERT, DROP, COPY ... TO, ATTACH, INSTALL/LOAD,
SET, a PRAGMA that changes settings or writes, ...), so nothing stored can change.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import os
import re
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from decoupling.settings import ConfigError, load_settings
from decoupling.warehouse import connect_published

# Statement types that only read. DESCRIBE, SHOW, SUMMARIZE, FROM-first and WITH parse as SELECT.
READ_STATEMENTS = {"SELECT", "EXPLAIN"}
# PRAGMAs that only report; any other (or `PRAGMA x = y`) may change settings or write files.
READ_PRAGMAS = {
    "collations",
    "database_list",
    "database_size",
    "functions",
    "metadata_info",
    "platform",
    "show",
    "show_databases",
    "show_tables",
    "show_tables_expanded",
    "storage_info",
    "table_info",
    "user_agent",
    "version",
}
PRAGMA_NAME = re.compile(r"^\s*pragma\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\(|;|$)", re.IGNORECASE)
# How a refused statement type is named to the user.
WRITE_NAMES = {
    "INSERT": "INSERT",
    "UPDATE": "UPDATE",
    "DELETE": "DELETE",
    "CREATE": "CREATE",
    "DROP": "DROP",
    "ALTER": "ALTER",
    "COPY": "COPY ... TO/FROM",
    "EXPORT": "EXPORT DATABASE",
    "ATTACH": "ATTACH",
    "DETACH": "DETACH",
    "LOAD": "INSTALL/LOAD",
    "SET": "SET/RESET/USE",
    "CALL": "CALL (including CHECKPOINT)",
    "VACUUM": "VACUUM",
    "TRANSACTION": "BEGIN/COMMIT/ROLLBACK",
}
TABLE_ROW_LIMIT = 500


@dataclass
class Result:
    columns: list[str]
    types: list[str]
    arrow: object  # pyarrow.Table: exact types for Parquet

    @property
    def count(self) -> int:
        return self.arrow.num_rows

    def head(self, limit: int | None = None) -> list[tuple]:
        """Rows as Python values (only the first `limit` converted: a terminal table is short)."""
        table = self.arrow if limit is None else self.arrow.slice(0, limit)
        return [tuple(row) for row in _pylist(table)]

    @property
    def rows(self) -> list[tuple]:
        return self.head()


def open_read_only(warehouse: str | None) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only and with no access to files or the network."""
    return connect_published(load_settings(warehouse=warehouse), {"enable_external_access": False})


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise ConfigError (exit 2, one line) unless every statement in `sql` only reads."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ConfigError(f"query does not parse: {str(exc).splitlines()[0]}") from None
    if not statements:
        raise ConfigError("query is empty")
    for statement in statements:
        kind = statement.type.name
        if kind in READ_STATEMENTS:
            continue
        if kind == "PRAGMA":
            match = PRAGMA_NAME.match(statement.query)
            if match and match.group(1).lower() in READ_PRAGMAS:
                continue
            raise ConfigError(
                "refused: this PRAGMA changes settings or writes; decoupling query only reads "
                f"(read-only PRAGMAs: {', '.join(sorted(READ_PRAGMAS))})"
            )
        name = WRITE_NAMES.get(kind, kind)
        raise ConfigError(
            f"refused: {name} statements are not allowed; decoupling query only reads "
            "(SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)"
        )


def execute(sql: str, warehouse: str | None = None) -> Result:
    con = open_read_only(warehouse)
    try:
        check_read_only(con, sql)
        try:
            cursor = con.execute(sql)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "extra copy" notice: results here are small
                table = cursor.to_arrow_table()
        except duckdb.Error as exc:
            raise ConfigError(f"query failed: {str(exc).strip().splitlines()[0]}") from None
    finally:
        con.close()
    columns = list(table.column_names)
    return Result(columns, [str(t) for t in table.schema.types], table)


def _pylist(table) -> list[list]:
    data = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [list(row) for row in zip(*data, strict=True)] if data else []


def run_query(sql: str, warehouse: str | None = None) -> pd.DataFrame:
    """The result as a DataFrame (for Python callers)."""
    return execute(sql, warehouse).arrow.to_pandas()


# ---- output ----------------------------------------------------------------------------------


def float_decimals(values) -> int:
    """Decimals for a column of floats: 2, or enough for 3 significant digits of its smallest
    non-zero value (at most 6), so a column lines up and small shares are not shown as 0.00."""
    smallest = min(
        (abs(v) for v in values if isinstance(v, float) and math.isfinite(v) and v != 0),
        default=1.0,
    )
    return max(2, min(6, math.ceil(-math.log10(smallest)) + 2)) if smallest < 1 else 2


def format_value(value, decimals: int = 2, null: str = "NULL") -> str:
    """A cell as shown in the terminal table (CSV, JSON and Parquet keep full precision)."""
    if value is None:
        return null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:,.{decimals}f}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_number(type_name: str) -> bool:
    return any(k in type_name for k in ("int", "double", "float", "decimal"))


def render_table(
    columns: list[str], types: list[str], rows: list[tuple], width: int | None, null: str = "NULL"
) -> str:
    """A plain-text table (rich). width=None: as wide as the content (pipes, files, README)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name, type_name in zip(columns, types, strict=True):
        table.add_column(name, justify="right" if _is_number(type_name) else "left")
    decimals = [float_decimals(column) for column in zip(*rows, strict=True)] if rows else []
    for row in rows:
        table.add_row(*(Text(format_value(v, d, null)) for v, d in zip(row, decimals, strict=True)))
    console = Console(
        file=io.StringIO(), width=width or 100_000, color_system=None, highlight=False, emoji=False
    )
    console.print(table)
    text = console.file.getvalue()
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def render_frame(frame: pd.DataFrame, width: int | None = None, null: str = "NULL") -> str:
    """A DataFrame as the same plain-text table (`null`: how a missing value shows)."""
    frame = frame.copy()
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column) and column.dt.tz is None:
            if (column.dropna() == column.dropna().dt.normalize()).all():
                frame[name] = column.dt.date  # a DATE column read through pandas
    frame = frame.astype(object).where(frame.notna(), None)
    types = [
        "double" if pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) else "x"
        for t in frame.infer_objects().dtypes
    ]
    return render_table(
        list(frame.columns), types, [tuple(r) for r in frame.itertuples(index=False)], width, null
    )


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _clean_float(value):
    return None if isinstance(value, float) and (math.isnan(value) or math.isinf(value)) else value


def to_csv(result: Result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(
            [
                ""
                if v is None
                else v.isoformat()
                if isinstance(v, (dt.date, dt.datetime))
                else repr(v)
                if isinstance(v, float)
                else v
                for v in row
            ]
        )
    return buffer.getvalue()


def to_json(result: Result) -> str:
    records = [
        {c: _clean_float(v) for c, v in zip(result.columns, row, strict=True)}
        for row in result.rows
    ]
    return json.dumps(records, default=_json_default, indent=2, ensure_ascii=False) + "\n"


def _terminal_width() -> int | None:
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output(target: Path, settings, force: bool = False) -> None:
    """Refuse (ConfigError, exit 2) an --output that could damage what is stored: a path in the
    warehouse's folder, the publish folder or the raw folder (after following links), a hard
    link to another name, or an existing file unless `force`."""
    if not target.parent.is_dir():
        raise ConfigError(f"cannot write {target}: folder {target.parent} does not exist")
    resolved = target.parent.resolve() / target.name
    if target.is_symlink():
        resolved = target.resolve()
    protected = {
        "the warehouse's folder": settings.warehouse.resolve().parent,
        "the publish folder": settings.published_dir.resolve(),
        "the raw folder": settings.raw_dir.resolve(),
    }
    for name, folder in protected.items():
        if _inside(resolved, folder):
            raise ConfigError(f"refused: --output {target} is inside {name} ({folder})")
    if not (target.exists() or target.is_symlink()):
        return
    if target.is_symlink() or not target.is_file():
        raise ConfigError(f"refused: --output {target} is a link or not a regular file")
    if target.stat().st_nlink > 1:
        raise ConfigError(
            f"refused: --output {target} has other hard links (one may be stored data)"
        )
    if not force:
        raise ConfigError(f"refused: --output {target} exists; pass --force to replace it")


def _write_new(target: Path, data: bytes) -> None:
    """Write beside the target and rename over it: an existing name is replaced, never written
    through (a hard link or symlink elsewhere keeps its content)."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write(result: Result, fmt: str, output: str | None, settings=None, force: bool = False) -> None:
    """Print or write the result; --output never touches stored files (see check_output)."""
    target = Path(output) if output else None
    if target is not None:
        check_output(target, settings or load_settings(), force)
    if fmt == "parquet":
        if target is None:
            raise ConfigError("--format parquet needs --output FILE")
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(result.arrow, buffer)
        _write_new(target, buffer.getvalue())
        return
    if fmt == "csv":
        text = to_csv(result)
    elif fmt == "json":
        text = to_json(result)
    else:
        shown = result.head(TABLE_ROW_LIMIT)
        text = render_table(
            result.columns, result.types, shown, None if target else _terminal_width()
        )
        count = result.count
        text += f"({count} row{'s' * (count != 1)}"
        if count > len(shown):
            text += f"; first {len(shown)} shown, use --format csv --output FILE for all"
        text += ")\n"
    if target is not None:
        _write_new(target, text.encode("utf-8"))
    else:
        sys.stdout.write(text)


def main(args) -> int:
    from decoupling.cli import infer_format

    settings = load_settings(warehouse=args.warehouse)
    fmt = infer_format(args.format, args.output)
    if args.output:
        check_output(Path(args.output), settings, args.force)  # before the query runs
    result = execute(args.sql, args.warehouse)
    write(result, fmt, args.output, settings, args.force)
    return 0
