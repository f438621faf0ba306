"""The claims registry: one `sql/claims/<claim>/claim.toml` per claim, loaded into two marts.

A claim file holds the claim in the project's words, the plain-language bottom line for each
verdict the claim can reach, and its metrics: what each measures, the claimed figure, the verdict
rule with its margins and why, and the specifications it is evaluated on. The verdict model
(sql/marts/claim_verdicts.sql, sql/marts/claims.sql) reads these marts, so a rule lives in one
place and is printed beside every verdict.

Rule kinds (the verdict model implements exactly these; ref = claimed, else threshold, else 0):
- within: supported when |measured - ref| <= supported, partly when <= partly (two-sided);
- at_least: supported when measured >= ref - supported, partly when >= ref - partly (one-sided);
- at_most: supported when measured <= ref + supported, partly when <= ref + partly (one-sided);
- equivalence_below: at_most applied to the whole confidence interval, which it requires
  (an equivalence test: "not rising" only when the interval's upper bound is below the margin).
When a row has an interval, each end and the point are judged; if they disagree the verdict is
"inconclusive" (the interval straddles the margin).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pandas as pd

from decoupling.settings import SQL_DIR, ConfigError
from decoupling.transform.python_models import parse_doc, write_table

TABLE = "marts.claim_registry"
READS: tuple[str, ...] = ()
RULE_KINDS = ("within", "at_least", "at_most", "equivalence_below")
VERDICTS = ("supported", "partly_supported", "not_supported", "inconclusive", "not_available")
CLAIM_FIELDS = ("id", "title", "claim", "bottom_line", "metrics")
METRIC_FIELDS = (
    "metric_id",
    "label",
    "definition",
    "unit",
    "rule",
    "supported",
    "partly",
    "one_sided",
    "rule_phrase",
    "rule_text",
    "why",
    "specifications",
)
OPTIONAL_METRIC_FIELDS = ("claimed", "threshold", "sources")
METRICS_TABLE = "marts.claim_metrics"
METRICS_DOC = """
-- The claims registry's metrics (sql/claims/<claim>/claim.toml), one row per metric: what it measures, the claimed figure, the verdict rule with its margins and why, and the specifications it is evaluated on.
-- column claim_id: Claim id (C1..)
-- column metric_id: Metric id, unique within the registry
-- column position: Order of the metric in its claim file (1 = first)
-- column label: What is measured, readable
-- column definition: How it is measured, with its source tables and lines
-- column unit: Unit of claimed and measured
-- column claimed: The figure the claim states (NULL when it states none)
-- column threshold: Reference value of the rule when the claim states no figure (NULL: claimed or 0)
-- column rule: Rule kind: within, at_least, at_most or equivalence_below
-- column supported_margin: Margin for supported, in the metric's unit
-- column partly_margin: Margin for partly supported, in the metric's unit (>= supported_margin)
-- column one_sided: True when the rule looks at one side only
-- column rule_phrase: The rule in a few words, for page 1
-- column rule_text: The full rule with its margin, saying when it is one-sided
-- column why: Why that margin: a citation or the reasoning
-- column specifications: The set of specifications the metric is evaluated on, in words
-- column sources: Source tables and lines of the inputs (NULL when not given)
"""
DOC = """
-- The claims registry (sql/claims/<claim>/claim.toml), one row per claim: its title, the claim in the project's words and the plain-language bottom line for each verdict the claim as a whole can reach.
-- column claim_id: Claim id (C1..)
-- column claim_name: The claim's folder name (one name in every layer)
-- column title: Section heading
-- column claim: The claim in the project's words
-- column bottom_line_supported: Bottom line when the claim is supported
-- column bottom_line_partly_supported: Bottom line when it is partly supported
-- column bottom_line_not_supported: Bottom line when it is not supported
-- column bottom_line_inconclusive: Bottom line when the data cannot decide
-- column bottom_line_not_available: Bottom line when the data are not held
"""
DESCRIPTION, COLUMNS = parse_doc(DOC)
METRICS_DESCRIPTION, METRICS_COLUMNS = parse_doc(METRICS_DOC)


def claim_files(sql_dir: Path = SQL_DIR) -> list[Path]:
    return sorted(sql_dir.glob("claims/*/claim.toml"))


def _fail(path: Path, message: str) -> None:
    raise ConfigError(f"{path}: {message}")


def _number(path: Path, metric_id: str, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, f"metric {metric_id}: {key} must be a number, not {value!r}")
    return float(value)


def read_claim(path: Path) -> tuple[dict, list[dict]]:
    """One claim file, validated: (claim row, metric rows). Any problem is a one-line ConfigError
    naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        _fail(path, f"not valid TOML ({exc})")
    missing = [f for f in CLAIM_FIELDS if f not in data]
    if missing:
        _fail(path, f"missing field(s) {', '.join(missing)}")
    bottom = data["bottom_line"]
    lacking = [v for v in VERDICTS if not str(bottom.get(v, "")).strip()]
    if lacking:
        _fail(path, f"[bottom_line] has no sentence for {', '.join(lacking)}")
    claim = {
        "claim_id": str(data["id"]),
        "claim_name": path.parent.name,
        "title": str(data["title"]),
        "claim": str(data["claim"]),
        **{f"bottom_line_{v}": str(bottom[v]) for v in VERDICTS},
    }
    metrics = []
    for position, metric in enumerate(data["metrics"], start=1):
        metric_id = str(metric.get("metric_id", f"#{position}"))
        absent = [f for f in METRIC_FIELDS if f not in metric or metric[f] in ("", None)]
        if absent:
            _fail(path, f"metric {metric_id}: missing field(s) {', '.join(absent)}")
        unknown = set(metric) - set(METRIC_FIELDS) - set(OPTIONAL_METRIC_FIELDS)
        if unknown:
            _fail(path, f"metric {metric_id}: unknown field(s) {', '.join(sorted(unknown))}")
        if metric["rule"] not in RULE_KINDS:
            _fail(
                path,
                f"metric {metric_id}: unknown rule kind {metric['rule']!r} "
                f"(known: {', '.join(RULE_KINDS)})",
            )
        supported = _number(path, metric_id, "supported", metric["supported"])
        partly = _number(path, metric_id, "partly", metric["partly"])
        if partly < supported:
            _fail(
                path, f"metric {metric_id}: partly margin {partly} is below supported {supported}"
            )
        if metric["rule"] == "within" and "claimed" not in metric:
            _fail(path, f"metric {metric_id}: rule 'within' needs a claimed value")
        if not isinstance(metric["one_sided"], bool):
            _fail(path, f"metric {metric_id}: one_sided must be true or false")
        metrics.append(
            {
                "claim_id": claim["claim_id"],
                "metric_id": metric_id,
                "position": position,
                "label": str(metric["label"]),
                "definition": str(metric["definition"]),
                "unit": str(metric["unit"]),
                "claimed": (
                    _number(path, metric_id, "claimed", metric["claimed"])
                    if "claimed" in metric
                    else None
                ),
                "threshold": (
                    _number(path, metric_id, "threshold", metric["threshold"])
                    if "threshold" in metric
                    else None
                ),
                "rule": metric["rule"],
                "supported_margin": supported,
                "partly_margin": partly,
                "one_sided": metric["one_sided"],
                "rule_phrase": str(metric["rule_phrase"]),
                "rule_text": str(metric["rule_text"]),
                "why": str(metric["why"]),
                "specifications": str(metric["specifications"]),
                "sources": str(metric["sources"]) if "sources" in metric else None,
            }
        )
    if not metrics:
        _fail(path, "no [[metrics]]")
    return claim, metrics


def load_registry(sql_dir: Path = SQL_DIR) -> tuple[list[dict], list[dict]]:
    """Every claim file: (claims, metrics). Duplicate claim or metric ids fail naming the file."""
    claims: list[dict] = []
    metrics: list[dict] = []
    seen_claims: dict[str, Path] = {}
    seen_metrics: dict[str, Path] = {}
    for path in claim_files(sql_dir):
        claim, rows = read_claim(path)
        if claim["claim_id"] in seen_claims:
            _fail(path, f"claim id {claim['claim_id']} is also in {seen_claims[claim['claim_id']]}")
        seen_claims[claim["claim_id"]] = path
        for row in rows:
            if row["metric_id"] in seen_metrics:
                _fail(
                    path,
                    f"duplicate metric_id {row['metric_id']} (also in {seen_metrics[row['metric_id']]})",
                )
            seen_metrics[row["metric_id"]] = path
        claims.append(claim)
        metrics.extend(rows)
    return claims, metrics


def _frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for column in ("claimed", "threshold", "supported_margin", "partly_margin"):
        if column in frame:
            frame[column] = frame[column].astype(float)
    return frame.astype({c: object for c in frame.columns if frame[c].dtype == object})


def build(con: duckdb.DuckDBPyConnection) -> None:
    claims, _ = load_registry()
    write_table(con, TABLE, _frame(claims, COLUMNS), COLUMNS)


def build_metrics(con: duckdb.DuckDBPyConnection) -> None:
    _, metrics = load_registry()
    write_table(con, METRICS_TABLE, _frame(metrics, METRICS_COLUMNS), METRICS_COLUMNS)


METHODS_PATH = SQL_DIR.parent / "docs" / "methods.md"


def render_methods(sql_dir: Path = SQL_DIR) -> str:
    """docs/methods.md from the registry: one section per claim, every metric's definition,
    sources, rule, margin, why and specifications (generated, so it cannot drift from the rules)."""
    claims, metrics = load_registry(sql_dir)
    out = [
        "# Methods",
        "",
        "Generated from the claims registry (`sql/claims/<claim>/claim.toml`) by",
        "`python -m decoupling.claims.registry`; do not edit by hand. The verdict model",
        "(`sql/marts/claim_verdicts.sql`, `sql/marts/claims.sql`) applies these rules: with ref = the",
        "claimed figure (else the threshold, else 0), `within` is |x - ref| <= margin, `at_least` is",
        "x >= ref - margin, `at_most` is x <= ref + margin, and `equivalence_below` applies `at_most` to",
        "the whole confidence interval. When a figure has an interval, its point and both ends must",
        "give the same verdict, else it is *inconclusive*. Missing inputs give *not available* with the",
        "reason; a figure that cannot test the rule gives *not testable*.",
    ]
    for claim in claims:
        out += ["", f"## {claim['claim_id']}. {claim['title']}", "", f"Claim: {claim['claim']}", ""]
        out += ["Bottom lines:", ""]
        out += [f"- {v.replace('_', ' ')}: {claim[f'bottom_line_{v}']}" for v in VERDICTS]
        for m in (m for m in metrics if m["claim_id"] == claim["claim_id"]):
            claimed = "none stated" if m["claimed"] is None else f"{m['claimed']:g} ({m['unit']})"
            out += [
                "",
                f"### {m['label']}",
                "",
                f"- Metric id: `{m['metric_id']}`; unit: {m['unit']}; claimed: {claimed}",
                f"- Definition: {m['definition']}",
                *([f"- Sources: {m['sources']}"] if m["sources"] else []),
                f"- Rule (`{m['rule']}`, {'one-sided' if m['one_sided'] else 'two-sided'}): "
                f"{m['rule_text']}",
                f"- Margins: supported {m['supported_margin']:g}, partly {m['partly_margin']:g}"
                + ("" if m["threshold"] is None else f"; threshold {m['threshold']:g}"),
                f"- Why this margin: {m['why']}",
                f"- Specifications: {m['specifications']}",
            ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    METHODS_PATH.write_text(render_methods(), encoding="utf-8")
    print(f"wrote {METHODS_PATH}")
