"""The model graph, declared rather than guessed: table references parsed with sqlglot (DuckDB
dialect), so a name in a comment or a string is not a dependency; Python models declare READS.
Ordered with graphlib; a reference to a table nothing builds fails before any model runs."""

from __future__ import annotations

import functools
import graphlib
from collections.abc import Iterable
from pathlib import Path

import sqlglot
from sqlglot import exp

# Schemas whose objects are built by models; raw and meta are created by the warehouse schema.
MODEL_SCHEMAS = ("staging", "marts")
WAREHOUSE_SCHEMAS = ("raw", "meta", *MODEL_SCHEMAS)


class GraphError(ValueError):
    """The graph cannot be built: unparsable SQL, a missing table, or a cycle (one line)."""


def references(sql: str, where: Path | str) -> set[str]:
    """`schema.name` of every warehouse table, view or table macro the SQL reads or writes."""
    try:
        return set(_references(sql))
    except sqlglot.errors.ParseError as exc:
        first = str(exc).splitlines()[0]
        raise GraphError(f"{where}: SQL could not be parsed: {first}") from None


@functools.cache  # by the SQL's text: parsing every model takes about a second
def _references(sql: str) -> frozenset[str]:
    found: set[str] = set()
    for statement in sqlglot.parse(sql, read="duckdb"):
        if statement is None:
            continue
        for table in statement.find_all(exp.Table):
            if table.db not in WAREHOUSE_SCHEMAS:
                continue
            # `FROM marts.gap_since(...)`: a table macro call parses as a function in a table
            name = table.name or (table.this.name if isinstance(table.this, exp.Func) else "")
            if not name and isinstance(table.this, exp.Anonymous):
                name = table.this.this
            if name:
                found.add(f"{table.db}.{name}".lower())
    return frozenset(found)


def order(
    models: dict[str, tuple[Iterable[str], Path | str]], existing: set[str] = frozenset()
) -> list[str]:
    """Model names (schema.name) in an order where each comes after every model it reads.

    `models` maps a model's name to (what it reads, where it is defined). A read of a
    staging/marts object no model builds, or of a raw/meta table not in `existing`, fails here,
    naming the file."""
    graph: dict[str, set[str]] = {}
    for name, (reads, where) in models.items():
        deps = set()
        for ref in reads:
            if ref == name:
                continue
            if ref in models:
                deps.add(ref)
            elif ref.split(".", 1)[0] in MODEL_SCHEMAS or ref not in existing:
                raise GraphError(f"{where}: reads {ref}, which no model builds")
        graph[name] = deps
    sorter = graphlib.TopologicalSorter(graph)
    try:
        # static_order is deterministic for a given insertion order: sort for stable builds
        sorter = graphlib.TopologicalSorter({k: graph[k] for k in sorted(graph)})
        return list(sorter.static_order())
    except graphlib.CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise GraphError(f"dependency cycle: {cycle}") from None
