"""Statistical models: the Python steps of the transform, for what SQL cannot do (statsmodels fits).

A claim module (`decoupling/claims/`) that builds a table is one model, documented like a SQL
model:

    TABLE = "marts.investment_trends"        # what it builds (schema.table)
    READS = ("marts.investment_rate",)       # what it reads: it runs after these
    DOC = '''
    -- What the table holds.                # becomes the table COMMENT
    -- column definition: ...               # every column, becomes the column COMMENTs
    '''

    def build(con: duckdb.DuckDBPyConnection) -> None:
        ...  # read the marts it READS, fit, CREATE OR REPLACE TABLE <TABLE>

The transform (`decoupling/transform`) places each model in the same dependency order as the SQL
models (after what it READS, before any SQL that names its TABLE), then writes the COMMENTs and
fails on an undocumented column, exactly as for SQL. A model must build its table even when its
input is empty (zero rows), so the scorecard and report can say "not available".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from decoupling.settings import ConfigError
from decoupling.stats import BREAK_ENV, ERAS_ENV

# Environment settings the models read: part of the refresh fingerprint, so changing one rebuilds.
PARAMETERS = (ERAS_ENV, BREAK_ENV)

if TYPE_CHECKING:
    from decoupling.transform import Model


def parse_doc(text: str) -> tuple[str, dict[str, str]]:
    """The model documentation format (see decoupling.transform): description, column texts."""
    from decoupling.transform import parse_doc as parse

    return parse(text)


def _guarded(name: str, build: Callable[[duckdb.DuckDBPyConnection], None]):
    """Any failure of a Python model becomes a TransformError naming it (one line, like SQL)."""

    def run(con: duckdb.DuckDBPyConnection) -> None:
        from decoupling.transform import TransformError

        try:
            build(con)
        except (duckdb.Error, ConfigError):
            raise  # a bad setting is the user's input: exit 2, as everywhere
        except Exception as exc:  # a fit that fails must stop the run, named
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise TransformError(f"python model {name} failed: {first}") from exc

    return run


def python_models() -> list[Model]:
    """Every model module of this package, as transform Models."""
    from decoupling.report.sections import claim_modules
    from decoupling.transform import Model

    found: list[Model] = []
    for module in claim_modules():
        if not hasattr(module, "TABLE"):
            continue
        layer, name = module.TABLE.split(".", 1)
        description, columns = parse_doc(module.DOC)
        found.append(
            Model(
                layer=layer,
                name=name,
                path=Path(module.__file__ or module.__name__),
                sql="",
                description=description,
                columns=columns,
                build=_guarded(module.__name__, module.build),
                reads=frozenset(module.READS),
            )
        )
    return found


def empty_frame(columns: list[str] | dict, types: dict[str, object]) -> pd.DataFrame:
    """A frame with no rows and typed columns (default float), so an empty table keeps its types."""
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, float)) for c in columns})


def write_table(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, columns: dict[str, str]
) -> None:
    """Replace `table` with `frame`, columns in the documented order (empty frames keep types)."""
    frame = frame.reindex(columns=list(columns))
    con.register("model_output", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM model_output")
    finally:
        con.unregister("model_output")
