"""The claim scorecard, marts.claims: assembled from every claim's `claims_<id>` model, so adding a
claim adds a folder under sql/claims/ and edits nothing here."""

from __future__ import annotations

import duckdb

from decoupling.settings import SQL_DIR

TABLE = "marts.claims"
# Every claim's scorecard model: sql/claims/<claim>/claims_<id>.sql builds marts.claims_<id>.
READS = tuple(f"marts.{path.stem}" for path in sorted(SQL_DIR.glob("claims/*/claims_*.sql")))
DOC = """
-- The claim scorecard: one row per claim and metric (claims C1..C5 of docs/CLAIMS.md).
-- column claim_id: Claim id (C1..C5)
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states (NULL when the claim states none)
-- column measured: The figure computed from the data (NULL when not available)
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
"""


def build(con: duckdb.DuckDBPyConnection) -> None:
    union = "\nUNION ALL BY NAME ".join(f"SELECT * FROM {table}" for table in READS)
    con.execute(f"CREATE OR REPLACE TABLE {TABLE} AS {union}\nORDER BY claim_id")
