"""Which series each model reads, so a refresh that changed one input rebuilds only what depends
on it.

Conservative by construction: a model reads EVERY series unless each read of a per-series table
(raw.observations, staging.observations, meta.downloads, ... or a model that itself reads every
series) is narrowed by a top-level condition on its `series_id` against literals: `= 'X'`,
`IN ('X', 'Y')`, `LIKE 'OEWS_%'` or `regexp_matches(series_id, '^OEWS_...')`. A model that reads
another model reads at least what that one reads. Python models read what their READS read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import sqlglot
from sqlglot import exp

# A model that may read any series.
ALL = "*"
# Warehouse tables (not built by models) that do not change with the inputs: the catalog is part
# of the code fingerprint, so a change there rebuilds everything anyway.
STATIC_TABLES = frozenset({"meta.series"})
# Regular-expression characters that end the literal prefix of a pattern.
_REGEX_META = re.compile(r"[\\.^$*+?()\[\]{}|]")


def _table_name(table: exp.Table) -> str:
    name = table.name or (table.this.name if isinstance(table.this, exp.Func) else "")
    if not name and isinstance(table.this, exp.Anonymous):
        name = table.this.this
    return f"{table.db}.{name}".lower() if table.db else ""


def _conjuncts(condition: exp.Expression | None) -> list[exp.Expression]:
    if condition is None:
        return []
    if isinstance(condition, exp.And):
        return _conjuncts(condition.left) + _conjuncts(condition.right)
    if isinstance(condition, exp.Paren):
        return _conjuncts(condition.this)
    return [condition]


def _series_column(node: exp.Expression) -> exp.Column | None:
    return node if isinstance(node, exp.Column) and node.name.lower() == "series_id" else None


def _literal_patterns(condition: exp.Expression) -> tuple[exp.Column, set[str]] | None:
    """(the series_id column, the ids or 'PREFIX*' patterns) a condition narrows it to."""
    if isinstance(condition, exp.EQ):
        for column, other in ((condition.left, condition.right), (condition.right, condition.left)):
            if _series_column(column) is not None and isinstance(other, exp.Literal):
                return column, {other.this}
    if isinstance(condition, exp.In) and _series_column(condition.this) is not None:
        values = condition.expressions
        if values and all(isinstance(v, exp.Literal) for v in values):
            return condition.this, {v.this for v in values}
    if isinstance(condition, exp.Like) and _series_column(condition.this) is not None:
        if isinstance(condition.expression, exp.Literal):
            # '_' and '%' are LIKE wildcards: the prefix before the first one is certain.
            prefix = re.split(r"[%_]", condition.expression.this, maxsplit=1)[0]
            return condition.this, {prefix + ALL}
    if isinstance(condition, exp.RegexpLike) and _series_column(condition.this) is not None:
        pattern = condition.expression
        if isinstance(pattern, exp.Literal) and pattern.this.startswith("^"):
            prefix = _REGEX_META.split(pattern.this[1:], maxsplit=1)[0]
            return condition.this, {prefix + ALL}
    return None


def _select_reads(select: exp.Select, reads_of: Mapping[str, frozenset[str]]) -> set[str] | None:
    """What one SELECT reads from per-series tables (None = every series)."""
    tables: list[tuple[str, str, exp.Table]] = []
    for table in select.find_all(exp.Table):
        if table.find_ancestor(exp.Select) is not select:
            continue  # a subquery's table: its own SELECT accounts for it
        name = _table_name(table)
        if name:
            tables.append((name, table.alias_or_name.lower(), table))
    conditions = _conjuncts(select.args.get("where") and select.args["where"].this)
    for join in select.args.get("joins") or []:
        conditions += _conjuncts(join.args.get("on"))
    narrowed: dict[str, set[str]] = {}
    for condition in conditions:
        found = _literal_patterns(condition)
        if found:
            column, patterns = found
            narrowed.setdefault(column.table.lower(), set()).update(patterns)
    generic = [
        (name, alias)
        for name, alias, _ in tables
        if name not in STATIC_TABLES and (name not in reads_of or ALL in reads_of[name])
    ]
    found: set[str] = set()
    for _name, alias in generic:
        # An unqualified condition narrows the table only when it is the one per-series table.
        patterns = narrowed.get(alias) or (narrowed.get("") if len(generic) == 1 else None)
        if not patterns:
            return None
        found |= patterns
    for name, _, _ in tables:
        if name in reads_of and ALL not in reads_of[name]:
            found |= reads_of[name]
    return found


def sql_reads(sql: str, reads_of: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Series ids (and 'PREFIX*' patterns) a model's SQL reads, or {ALL}.

    `reads_of` gives what each model built before it reads (a name not in it is a warehouse
    input table)."""
    try:
        statements = sqlglot.parse(sql, read="duckdb")
    except sqlglot.errors.ParseError:
        return frozenset({ALL})
    found: set[str] = set()
    for statement in statements:
        if statement is None:
            continue
        for select in statement.find_all(exp.Select):
            reads = _select_reads(select, reads_of)
            if reads is None:
                return frozenset({ALL})
            found |= reads
    return frozenset(found)


def model_reads(
    models: Iterable, sql_of: Mapping[str, str | None], depends: Mapping[str, set[str]]
) -> dict[str, frozenset[str]]:
    """Series read by each model (qualified name), in build order. `sql_of` holds None for a
    Python model, which reads the union of what its dependencies read."""
    reads_of: dict[str, frozenset[str]] = {}
    for name in models:
        sql = sql_of.get(name)
        if sql is None:
            inherited: set[str] = set()
            for dep in depends.get(name, ()):
                inherited |= reads_of.get(dep, frozenset({ALL}))
            reads_of[name] = frozenset(inherited)
        else:
            reads_of[name] = sql_reads(sql, reads_of)
    return reads_of


def touches(reads: frozenset[str], changed: Iterable[str]) -> bool:
    """Whether a model that reads `reads` depends on any of the `changed` series."""
    if ALL in reads:
        return True
    prefixes = tuple(r[:-1] for r in reads if r.endswith(ALL))
    return any(c in reads or (prefixes and c.startswith(prefixes)) for c in changed)
