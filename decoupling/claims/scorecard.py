"""The claims' metric values, marts.claim_values: every claim's `claims_<id>` model gathered in one
table, so adding a claim adds a folder under sql/claims/ and edits nothing here. The verdicts are
decided from it by the one verdict model (sql/marts/claim_verdicts.sql, then sql/marts/claims.sql)
under the registry's rules (decoupling.claims.registry)."""

from __future__ import annotations

import duckdb

from decoupling.settings import SQL_DIR

TABLE = "marts.claim_values"
# Every claim's scorecard model: sql/claims/<claim>/claims_<id>.sql builds marts.claims_<id>.
READS = tuple(f"marts.{path.stem}" for path in sorted(SQL_DIR.glob("claims/*/claims_*.sql")))
# The columns every claims_<id> model outputs (the contract the verdict model reads).
COLUMNS_SQL = """
    claim_id VARCHAR, metric_id VARCHAR, specification VARCHAR, choice VARCHAR, headline BOOLEAN,
    measured DOUBLE, ci_low DOUBLE, ci_high DOUBLE, period VARCHAR, detail VARCHAR,
    available BOOLEAN, reason VARCHAR
"""
COLUMN_NAMES = [line.split()[0] for line in COLUMNS_SQL.replace("\n", " ").split(",")]
DOC = """
-- The metric values of every claim (the union of the claims_<id> models), one row per claim, metric and specification, before any verdict: the verdict model (marts.claim_verdicts, marts.claims) judges them under the registry's rules.
-- column claim_id: Claim id (C1..)
-- column metric_id: Metric id (marts.claim_metrics)
-- column specification: Readable label of the specification
-- column choice: The measurement dimension this specification varies ('headline' for the headline row)
-- column headline: True for the metric's headline specification (exactly one per metric)
-- column measured: The figure measured (NULL when not available)
-- column ci_low: Lower end of the figure's interval (NULL when none)
-- column ci_high: Upper end of the figure's interval (NULL when none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available (NULL otherwise)
"""


def build(con: duckdb.DuckDBPyConnection) -> None:
    columns = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in _typed())
    parts = [f"SELECT {columns} FROM {table}" for table in READS]
    empty = f"SELECT {columns} FROM (SELECT {', '.join(f'NULL AS {c}' for c in COLUMN_NAMES)}) WHERE false"
    union = "\nUNION ALL ".join(parts or [empty])
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS {union}\nORDER BY claim_id, metric_id")


def _typed() -> list[tuple[str, str]]:
    pairs = [item.split() for item in COLUMNS_SQL.replace("\n", " ").split(",")]
    return [(name, kind) for name, kind in pairs]
