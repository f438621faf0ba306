"""Writes docs/warehouse.md from the one documentation format, so the reference cannot drift.

Sources, all read without a warehouse or any data:
- raw and meta: the DDL's COMMENTs (decoupling.warehouse.schema), read back through the
  meta.tables and meta.columns views of an empty in-memory warehouse;
- staging and marts: each SQL model's leading comment block and each Python model's DOC
  (decoupling.transform), including the optional `[unit; source]` of a column;
- table macros: their description and the parameters of their CREATE MACRO statement.

    python -m decoupling.docs            # rewrite docs/warehouse.md
    python -m decoupling.docs --check    # exit 1 when the committed file is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from decoupling.settings import PROJECT_ROOT, SQL_DIR

WAREHOUSE_MD = PROJECT_ROOT / "docs" / "warehouse.md"
# The same split meta.columns does in SQL: a trailing "[unit; source]" of a column COMMENT.
TAG = re.compile(r" *\[([^\[\]]*)\] *$")
CREATED = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW|MACRO)\s+\w+\.\w+\s*(?:\(([^)]*)\)\s*AS\s+TABLE)?",
    re.IGNORECASE,
)
SCHEMA_INTROS = {
    "raw": "Everything as received, append-only: a revision is a new row, never an update.",
    "meta": "The catalog, the provenance of every download, runs and what they changed, and "
    "the views that describe the warehouse itself (`meta.tables`, `meta.columns`).",
    "staging": "Shared cleaning (`sql/staging/`): current values, frequencies aligned, "
    "series as the claims read them.",
    "marts": "The analyses (`sql/marts/`, `sql/claims/<claim>/`, Python models in "
    "`decoupling/claims/`) and the scorecard `marts.claims`.",
}


@dataclass
class Column:
    name: str
    description: str
    unit: str | None = None
    source: str | None = None


@dataclass
class Entry:
    """One table, view or table macro."""

    schema: str
    name: str
    kind: str  # table, view, table macro
    description: str
    built_by: str | None = None  # file, relative to the project root
    group: str = ""  # the claim folder, or "" for shared objects
    parameters: str | None = None
    columns: list[Column] = field(default_factory=list)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def split_doc(text: str) -> Column:
    """A column text `what it holds [unit; source]` split as meta.columns splits it."""
    match = TAG.search(text)
    if not match:
        return Column("", text)
    unit, _, source = match.group(1).partition(";")
    return Column("", text[: match.start()], unit.strip() or None, source.strip() or None)


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def ddl_entries() -> list[Entry]:
    """raw and meta, from the DDL COMMENTs of an empty warehouse, through meta.tables/columns."""
    from decoupling.warehouse.schema import init_schema, write_catalog

    con = duckdb.connect()
    try:
        init_schema(con)
        write_catalog(con, [])  # meta.series is written with the catalog, comments included
        tables = con.execute(
            "SELECT schema_name, table_name, kind, description FROM meta.tables "
            "WHERE schema_name IN ('raw', 'meta') ORDER BY schema_name, table_name"
        ).fetchall()
        entries = []
        for schema, name, kind, description in tables:
            rows = con.execute(
                "SELECT column_name, description, unit, source FROM meta.columns "
                "WHERE schema_name = ? AND table_name = ? ORDER BY position",
                [schema, name],
            ).fetchall()
            entries.append(
                Entry(
                    schema,
                    name,
                    kind,
                    description or "",
                    built_by="decoupling/warehouse/schema.py",
                    columns=[Column(c, d or "", u, s) for c, d, u, s in rows],
                )
            )
        return entries
    finally:
        con.close()


def _claim_group(path: Path) -> str:
    """The claim folder a model belongs to ('' for the shared ones)."""
    claims = {p.name for p in (SQL_DIR / "claims").iterdir() if p.is_dir()}
    parts = Path(_relative(path)).parts  # sql/claims/<claim>/x.sql, decoupling/claims/<claim>[.py]
    if "claims" in parts and parts.index("claims") + 1 < len(parts):
        name = parts[parts.index("claims") + 1].removesuffix(".py")
        return name if name in claims else ""
    return ""


def model_entries() -> list[Entry]:
    """staging and marts, from the SQL models' comment headers and the Python models' DOC."""
    from decoupling.transform import model_files, read_model
    from decoupling.transform.python_models import python_models

    models = [read_model(layer, path) for layer, path in model_files(SQL_DIR)]
    models += python_models()
    entries = []
    for model in models:
        kind, parameters = "table", None
        created = CREATED.search(model.sql) if model.sql else None
        if created:
            kind = {"TABLE": "table", "VIEW": "view", "MACRO": "table macro"}[
                created.group(1).upper()
            ]
            if created.group(2) is not None:
                parameters = ", ".join(p.strip() for p in created.group(2).split(","))
        columns = []
        for name, text in model.columns.items():
            column = split_doc(text)
            column.name = name
            columns.append(column)
        entries.append(
            Entry(
                model.layer,
                model.name,
                kind,
                model.description,
                built_by=_relative(model.path),
                group=_claim_group(model.path),
                parameters=parameters,
                columns=columns,
            )
        )
    return sorted(entries, key=lambda e: (e.schema != "staging", e.group, e.name))


def _cell(text: str | None) -> str:
    """Text safe in a Markdown table cell: no pipes, no HTML-looking <...>, no stray emphasis."""
    text = (text or "").replace("\n", " ").replace("|", "\\|").replace("*", "\\*")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _render_entry(entry: Entry, level: str) -> list[str]:
    title = entry.qualified
    if entry.kind == "table macro":
        title += f"({entry.parameters or ''})"
    lines = [f"{level} `{title}`", ""]
    lines.append(f"*{entry.kind}*, built by `{entry.built_by}`." if entry.built_by else "")
    lines += ["", _cell(entry.description) or "(no description)", ""]
    if entry.kind == "table macro":
        lines += [f"Parameters: {', '.join(f'`{p}`' for p in entry.parameters.split(', '))}.", ""]
    if entry.columns:
        lines += ["| column | unit | source | description |", "|---|---|---|---|"]
        for c in entry.columns:
            lines.append(
                f"| `{c.name}` | {_cell(c.unit)} | {_cell(c.source)} | {_cell(c.description)} |"
            )
        lines.append("")
    return lines


def render(entries: list[Entry]) -> str:
    """The whole of docs/warehouse.md."""
    lines = [
        "# The warehouse",
        "",
        "<!-- Generated by `python -m decoupling.docs` from the DDL comments, the SQL models'",
        "     comment headers and the Python models' DOC. Do not edit: change the source and rerun. -->",
        "",
        "DuckDB, four schemas. The same text is in the warehouse as COMMENTs: `meta.tables` lists",
        "every table, view and table macro, `meta.columns` every column with its description, unit",
        "and source (`decoupling query \"SELECT * FROM meta.columns WHERE table_name = 'c1_inputs'\"`).",
        "A model documents itself in its leading comment block:",
        "",
        "```sql",
        "-- What the table holds, in a sentence or two.",
        "-- column date: First day of the quarter",
        "-- column gap_pts [percentage points; BLS, BEA]: Productivity growth minus pay growth",
        "```",
        "",
        "The bracket is optional: `[unit]`, `[; source]` or `[unit; source]`; a blank unit or source",
        "is NULL in `meta.columns` and empty below.",
        "",
    ]
    counts = {s: sum(1 for e in entries if e.schema == s) for s in SCHEMA_INTROS}
    lines += [f"- [`{s}`](#{s}): {counts[s]} objects" for s in SCHEMA_INTROS]
    macros = [e for e in entries if e.kind == "table macro"]
    if macros:  # queried like tables with arguments: list them where a reader looks first
        lines += ["", "Table macros (`SELECT * FROM marts.gap_since('1979Q4', 'epi')`):", ""]
        lines += [f"- `{e.qualified}({e.parameters})`" for e in macros]
    lines.append("")
    for schema, intro in SCHEMA_INTROS.items():
        lines += [f"## {schema}", "", intro, ""]
        group = None
        for entry in (e for e in entries if e.schema == schema):
            if schema == "marts" and entry.group != group:
                group = entry.group
                heading = f"claim `{group}`" if group else "shared"
                lines += [f"### marts: {heading}", ""]
            lines += _render_entry(entry, "####" if schema == "marts" else "###")
    return "\n".join(line for line in _squeeze(lines)) + "\n"


def _squeeze(lines: list[str]) -> list[str]:
    """No runs of blank lines (markdownlint MD012)."""
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return out


def generate() -> str:
    return render(ddl_entries() + model_entries())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m decoupling.docs",
        description="Write docs/warehouse.md from the DDL comments and the models' documentation.",
        epilog="example: python -m decoupling.docs --check",
        allow_abbrev=False,
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", default=str(WAREHOUSE_MD), help="where to write")
    args = parser.parse_args(argv)
    path = Path(args.output)
    text = generate()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            print(f"{path} is stale: run python -m decoupling.docs", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
