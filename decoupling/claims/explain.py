"""`decoupling claims --explain C3`: for each metric of a claim, the rule with its margin and why,
the headline's inputs and the arithmetic that gives its verdict, then every specification."""

from __future__ import annotations

import pandas as pd

from decoupling.query import run_query
from decoupling.settings import ConfigError


def _number(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.4g}"


def _arithmetic(metric: pd.Series, head: pd.Series | None) -> list[str]:
    """The comparison the verdict model made, written out with the figures."""
    if head is None:
        return ["no specification was computed: not available"]
    ref, s, p = metric["reference"], metric["margin"], metric["partly_margin"]
    values = [("figure", head["measured"])]
    if not pd.isna(head["ci_low"]) and not pd.isna(head["ci_high"]):
        values += [("interval low", head["ci_low"]), ("interval high", head["ci_high"])]
    kind = metric["rule_kind"]
    lines = []
    for name, x in values:
        if x is None or pd.isna(x):
            continue
        if kind == "within":
            lines.append(
                f"{name}: |{_number(x)} - {_number(ref)}| = {_number(abs(x - ref))}; "
                f"supported if <= {_number(s)}, partly if <= {_number(p)}"
            )
        elif kind == "at_least":
            lines.append(
                f"{name}: {_number(x)} against {_number(ref)} - {_number(s)} = {_number(ref - s)} "
                f"(supported) and {_number(ref)} - {_number(p)} = {_number(ref - p)} (partly)"
            )
        else:
            lines.append(
                f"{name}: {_number(x)} against {_number(ref)} + {_number(s)} = {_number(ref + s)} "
                f"(supported) and {_number(ref)} + {_number(p)} = {_number(ref + p)} (partly)"
            )
    if len(values) > 1:
        lines.append("the point and both ends of the interval must agree, else inconclusive")
    return lines or [f"no figure: {head['reason']}"]


def explain(claim_id: str, warehouse: str | None = None) -> str:
    """The explanation of one claim's verdicts as text; an unknown claim id is a ConfigError."""
    claim_id = claim_id.strip().upper()
    metrics = run_query(
        "SELECT * FROM marts.claims WHERE claim_id = '" + claim_id.replace("'", "''") + "' "
        "ORDER BY position",
        warehouse,
    )
    if metrics.empty:
        known = run_query("SELECT DISTINCT claim_id FROM marts.claims ORDER BY 1", warehouse)
        raise ConfigError(
            f"--explain {claim_id}: no such claim (known: {', '.join(known['claim_id'])})"
        )
    specs = run_query(
        "SELECT * FROM marts.claim_verdicts WHERE claim_id = '" + claim_id + "' "
        "ORDER BY metric_id, NOT headline, choice, specification",
        warehouse,
    )
    first = metrics.iloc[0]
    out = [
        f"{claim_id}  {first['claim']}",
        f"Verdict: {first['claim_verdict']}. {first['bottom_line']}",
    ]
    for _, metric in metrics.iterrows():
        rows = specs[specs["metric_id"] == metric["metric_id"]]
        heads = rows[rows["headline"]]
        head = heads.iloc[0] if len(heads) else None
        out += [
            "",
            f"[{metric['metric_id']}] {metric['metric']}",
            f"  rule ({metric['rule_kind']}): {metric['rule']}",
            f"  why: {metric['why']}",
            f"  specifications: {metric['specifications']}",
            f"  claimed: {_number(metric['claimed'])} {metric['unit']}; reference "
            f"{_number(metric['reference'])}",
            f"  headline: {head['specification'] if head is not None else 'none'}, "
            f"{metric['period'] or 'no period'}: {_number(metric['measured'])} {metric['unit']}",
            *[f"  arithmetic: {line}" for line in _arithmetic(metric, head)],
            f"  verdict: {metric['verdict']}. {metric['detail']}",
            f"  {len(rows)} specifications, {100 * metric['share_agreeing']:.0f}% agree with the "
            f"headline; moves it most: {metric['moves_most']}",
        ]
        for _, row in rows.iterrows():
            interval = (
                f" [{_number(row['ci_low'])}, {_number(row['ci_high'])}]"
                if not pd.isna(row["ci_low"])
                else ""
            )
            out.append(
                f"    - {row['choice']}: {row['specification']}: {_number(row['measured'])}"
                f"{interval} -> {row['verdict']}"
                + (f" ({row['reason']})" if isinstance(row["reason"], str) else "")
            )
    return "\n".join(out)
