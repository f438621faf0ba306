"""Runs sql/: staging models, the claims' models, then assertions, in the declared graph's order.

A model file is named after the object it builds (`sql/claims/c1_productivity_pay/c1_series.sql`
builds `marts.c1_series`; `sql/staging/x.sql` builds `staging.x`) and holds ordinary DuckDB
statements. Its leading comment documents it, the one documentation format of the project:

    -- What the table holds, in a sentence or two.
    -- column date: First day of the quarter
    -- column gap_pts: Productivity growth minus pay growth, percentage points

Every column of every table and view must be documented this way; the runner writes the text as
COMMENTs (and so into meta.columns and docs/warehouse.md) and fails on an undocumented column.
What SQL cannot do (statistical fits) is a Python model in a claim module (`decoupling/claims/`):
it declares TABLE, READS and DOC (the same comment format). The order comes from the tables each
model reads (`transform.graph`). Assertions (`sql/assertions/`, `sql/claims/*/assertions/`) are
SELECTs returning offending rows; they run after every model.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from decoupling.logs import step, stopwatch
from decoupling.settings import SQL_DIR, ConfigError
from decoupling.transform.graph import GraphError, order, references
from decoupling.transform.python_models import python_models
from decoupling.transform.series_reads import model_reads, touches

log = logging.getLogger(__name__)

# Folders of models and the schema their objects go in.
MODEL_DIRS = (("staging", "staging"), ("marts", "marts"), ("claims/*", "marts"))
# `-- column name: text` or `-- column name [unit; source]: text` (either part may be empty); the
# bracket ends the COMMENT, and meta.columns splits it into its unit and source columns.
COLUMN_DOC = re.compile(
    r"^--\s*column\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[([^\[\]]*)\])?\s*:\s*(.+)$"
)


class TransformError(RuntimeError):
    """A model or assertion failed; the message names it."""


@dataclass(frozen=True)
class Model:
    layer: str
    name: str
    path: Path
    sql: str
    description: str
    columns: dict[str, str]
    build: Callable[[duckdb.DuckDBPyConnection], None] | None = None  # Python models only

    @property
    def qualified(self) -> str:
        return f"{self.layer}.{self.name}"

    reads: frozenset[str] | None = None  # Python models declare it; SQL is parsed

    @property
    def depends_on(self) -> set[str]:
        found = self.reads if self.reads is not None else references(self.sql, self.path)
        return set(found) - {self.qualified}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parse_doc(text: str) -> tuple[str, dict[str, str]]:
    """The description and the column texts of a model's leading comment block."""
    description: list[str] = []
    columns: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        match = COLUMN_DOC.match(stripped)
        if match:
            tag = f" [{match.group(2).strip()}]" if match.group(2) else ""
            columns[match.group(1)] = match.group(3).strip() + tag
        else:
            description.append(stripped.lstrip("-").strip())
    return " ".join(d for d in description if d), columns


def read_model(layer: str, path: Path) -> Model:
    sql = path.read_text(encoding="utf-8")
    description, columns = parse_doc(sql)
    return Model(layer, path.stem, path, sql, description, columns)


def model_files(sql_dir: Path = SQL_DIR) -> list[tuple[str, Path]]:
    """(schema, file) of every SQL model under sql_dir."""
    return [
        (layer, path)
        for folder, layer in MODEL_DIRS
        for path in sorted(sql_dir.glob(f"{folder}/*.sql"))
    ]


def assertion_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    return sorted(
        [*sql_dir.glob("assertions/*.sql"), *sql_dir.glob("claims/*/assertions/*.sql")],
        key=lambda p: p.stem,
    )


def parse_models(sql_dir: Path = SQL_DIR) -> None:
    """Parse every SQL model's table references ahead of a run (cached by the SQL's text): the
    CLI does it while Prefect's server starts."""
    for _, path in model_files(sql_dir):
        references(path.read_text(encoding="utf-8"), path)


def discover(sql_dir: Path = SQL_DIR, existing: set[str] = frozenset()) -> list[Model]:
    """All models, in an order where each comes after what it reads. A read of a table that no
    model builds (and that is not among `existing` raw/meta tables) fails before anything runs."""
    models = [read_model(layer, path) for layer, path in model_files(sql_dir)]
    if sql_dir == SQL_DIR:  # the Python models read the project's marts
        models += python_models()
    by_name: dict[str, Model] = {}
    for model in models:
        if model.qualified in by_name:
            raise TransformError(
                f"{model.path}: {model.qualified} is also built by {by_name[model.qualified].path}"
            )
        by_name[model.qualified] = model
    graph = {name: (m.depends_on, m.path) for name, m in by_name.items()}
    try:
        return [by_name[name] for name in order(graph, existing or _warehouse_tables())]
    except GraphError as exc:
        raise TransformError(str(exc)) from None


def _warehouse_tables() -> set[str]:
    """raw and meta tables of the warehouse schema (what models may read without building)."""
    from decoupling.warehouse.schema import ddl_tables

    return ddl_tables()


def _object_kind(con: duckdb.DuckDBPyConnection, model: Model) -> str | None:
    row = con.execute(
        "SELECT CASE WHEN table_type = 'VIEW' THEN 'VIEW' ELSE 'TABLE' END "
        "FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [model.layer, model.name],
    ).fetchall()
    if row:
        return row[0][0]
    row = con.execute(
        "SELECT CASE WHEN function_type = 'table_macro' THEN 'MACRO TABLE' ELSE 'MACRO' END "
        "FROM duckdb_functions() WHERE schema_name = ? AND function_name = ? LIMIT 1",
        [model.layer, model.name],
    ).fetchall()
    return row[0][0] if row else None


def document(con: duckdb.DuckDBPyConnection, model: Model) -> None:
    """Write the model's comments; fail on an undocumented column or a missing description."""
    kind = _object_kind(con, model)
    if kind is None:
        raise TransformError(f"{model.path.name}: did not create {model.qualified}")
    if not model.description:
        raise TransformError(f"{model.path.name}: no description comment at the top")
    table_comment = f"COMMENT ON {kind} {model.qualified} IS {_quote(model.description)}"
    if kind.startswith("MACRO"):
        con.execute(table_comment)
        return
    actual = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [model.layer, model.name],
        ).fetchall()
    ]
    undocumented = [c for c in actual if c not in model.columns]
    if undocumented:
        raise TransformError(
            f"{model.path.name}: column(s) {', '.join(undocumented)} have no '-- column' comment"
        )
    # One call for all of a model's comments: a call per column cost a quarter of the transform.
    column_comments = [
        f'COMMENT ON COLUMN {model.qualified}."{column}" IS {_quote(model.columns[column])}'
        for column in actual
    ]
    con.execute(";\n".join([table_comment, *column_comments]))


# Analysis parameters an operator may set: DuckDB variable -> environment variable. Models read
# them with getvariable(...) and fall back to their own defaults when unset.
SQL_VARIABLES = {
    "c2_anchor_price": "DECOUPLING_C2_ANCHOR_PRICE",  # dollars of the TV at the anchor year
    "c2_anchor_year": "DECOUPLING_C2_ANCHOR_YEAR",  # default: 20 years before the latest year
}


def set_variables(con: duckdb.DuckDBPyConnection, env: Mapping[str, str] | None = None) -> None:
    """Pass the parameters in SQL_VARIABLES to the models; a non-number is a ConfigError."""
    env = os.environ if env is None else env
    for variable, name in SQL_VARIABLES.items():
        text = (env.get(name) or "").strip()
        if not text:
            con.execute(f"RESET VARIABLE {variable}")
            continue
        try:
            number = float(text)
        except ValueError:
            raise ConfigError(f"{name}={text!r} is not a number") from None
        if not math.isfinite(number) or number <= 0:
            raise ConfigError(f"{name}={text!r} must be a positive number")
        con.execute(f"SET VARIABLE {variable} = {number!r}")


def plan(models: list[Model], changed: Collection[str] | None) -> list[Model]:
    """The models to build when only the `changed` series changed (None: every model).

    A model is rebuilt when it reads a changed series (see transform.series_reads: what a model
    reads includes what the models it reads read, unless it narrows a per-series model such as
    staging.quarterly to named series); the others keep the tables the previous build left."""
    if changed is None:
        return list(models)
    reads = model_reads(
        [m.qualified for m in models],
        {m.qualified: (None if m.build else m.sql) for m in models},
        {m.qualified: m.depends_on for m in models},
    )
    return [m for m in models if touches(reads[m.qualified], changed)]


def run_models(
    con: duckdb.DuckDBPyConnection,
    sql_dir: Path = SQL_DIR,
    changed: Collection[str] | None = None,
    discovered: list[Model] | None = None,
) -> list[str]:
    """Build every model (or only those downstream of the `changed` series); return their names
    in the order built."""
    built = []
    models = plan(discovered if discovered is not None else discover(sql_dir), changed)
    set_variables(con)
    for index, model in enumerate(models, start=1):
        try:
            model.build(con) if model.build else con.execute(model.sql)
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise TransformError(f"{model.layer}/{model.path.name} failed: {first}") from exc
        document(con, model)
        built.append(model.qualified)
        log.debug(
            "SQL model %d/%d: %s",
            index,
            len(models),
            model.qualified,
            extra=step("transform", index, len(models)),
        )
    return built


def run_assertions(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> list[str]:
    """Run every assertion; any returned row fails the run, naming the assertion."""
    passed = []
    for path in assertion_files(sql_dir):
        try:
            rows = con.execute(path.read_text(encoding="utf-8")).fetchall()[:3]
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise TransformError(f"assertion {path.stem} could not run: {first}") from exc
        if rows:
            raise TransformError(f"assertion {path.stem} failed; first offending rows: {rows}")
        passed.append(path.stem)
    return passed


@dataclass
class Build:
    """What a transform did: models built and skipped (in build order), assertions passed."""

    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)


def run_selected(
    con: duckdb.DuckDBPyConnection,
    changed: Collection[str] | None,
    sql_dir: Path = SQL_DIR,
) -> Build:
    """Rebuild the models downstream of the `changed` series (None: all), then every assertion.

    Only valid on a warehouse whose models were built by the same code from the same data but
    for `changed`: the caller checks that (decoupling.fingerprint)."""
    # One transaction: a commit per model (and per comment) was a third of the transform's time.
    # A failure rolls it back; the caller's build-aside copy is discarded either way.
    models = discover(sql_dir)
    con.execute("BEGIN TRANSACTION")
    seconds = stopwatch()
    try:
        built = run_models(con, sql_dir, changed, models)
        checked = run_assertions(con, sql_dir)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    log.info("built %d models, %d assertions passed in %.1f s", len(built), len(checked), seconds())
    done = set(built)
    return Build(built, [m.qualified for m in models if m.qualified not in done], checked)


def run(con: duckdb.DuckDBPyConnection, sql_dir: Path = SQL_DIR) -> tuple[list[str], list[str]]:
    """Build every model, then run every assertion (one transaction)."""
    result = run_selected(con, None, sql_dir)
    return result.built, result.checked
