"""Verdict history and alerts: what each refresh concluded, and what changed since the last one.

- `record()` appends the run's scorecard (marts.claims) to meta.verdict_history inside the
  refresh's staged warehouse, so the history row and the scorecard it copies publish together.
- `verdict_changes()` compares a run's rows with the previous refresh's: a verdict that changed,
  or a measured value that moved by more than its margin (the registry's `margin` column of
  marts.claims where the registry provides one, else DEFAULT_RELATIVE_MARGIN of the old value).
- `announce()` runs after publish: one WARNING line per change, the scorecard as a Prefect table
  artifact and the changes as a Markdown artifact on the flow run, and, when
  DECOUPLING_ALERT_WEBHOOK is set, that Markdown POSTed to the URL (logged as scheme://host only:
  webhook URLs carry their secret in the path or query).
"""

from __future__ import annotations

import json
import logging
import math
import os
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import urlsplit

import duckdb

from decoupling.settings import Settings

log = logging.getLogger("decoupling")

TABLE = "meta.verdict_history"
WEBHOOK_ENV = "DECOUPLING_ALERT_WEBHOOK"
# Without a registry margin, a move counts when it exceeds 5% of the previous value's size.
DEFAULT_RELATIVE_MARGIN = 0.05
WEBHOOK_TIMEOUT_S = 10.0
SCORECARD_ARTIFACT = "decoupling-scorecard"
CHANGES_ARTIFACT = "decoupling-verdict-changes"


def _claims_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'marts' AND table_name = 'claims'"
        ).fetchall()
    }


def record(con: duckdb.DuckDBPyConnection, run_id: str, recorded_at: datetime | None = None) -> int:
    """Append marts.claims to meta.verdict_history for this run; returns the rows appended."""
    columns = _claims_columns(con)
    if not columns:  # no scorecard was built (nothing to record)
        return 0
    # The verdicts registry adds metric_id and margin; before it, both stay NULL.
    metric_id = "c.metric_id" if "metric_id" in columns else "NULL"
    # A one-sided rule's "supported" margin is 0 (any value past the threshold): alerting on a
    # move past 0 would fire on rounding noise, so its partly-supported band is the margin then.
    margins = [f"nullif(c.{m}, 0)" for m in ("margin", "partly_margin") if m in columns]
    margin = f"coalesce({', '.join(margins)})" if margins else "NULL"
    before = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
    con.execute(
        f"""
        INSERT INTO {TABLE}
        WITH claim_series AS (  -- meta.series.analyses: 'C1;C5'
            SELECT s.id AS series_id, trim(t.claim_id) AS claim_id
            FROM meta.series s, unnest(string_split(s.analyses, ';')) AS t(claim_id)
        ), vintage AS (
            SELECT cs.claim_id, max(d.accessed_at) AS data_vintage
            FROM claim_series cs JOIN meta.downloads d USING (series_id)
            GROUP BY cs.claim_id
        )
        SELECT ?, ?, c.claim_id, {metric_id}, c.metric, c.measured, c.unit, c.verdict,
               {margin}, v.data_vintage
        FROM marts.claims c LEFT JOIN vintage v USING (claim_id)
        ORDER BY c.claim_id, c.metric
        """,
        [run_id, recorded_at or datetime.now(UTC)],
    )
    return con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0] - before


def verdict_changes(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> list[dict]:
    """What changed between a run (default: the latest recorded) and the refresh before it.

    One row per metric whose verdict changed or whose measured value moved past its margin:
    claim_id, metric, unit, verdict_before/after, measured_before/after, margin (the one applied),
    what ('verdict' or 'moved') and line (change_line). Empty on the first run, or when the table is missing."""
    try:
        frame = con.execute(
            f"""
            WITH runs AS (
                SELECT run_id, max(recorded_at) AS recorded_at FROM {TABLE} GROUP BY run_id
            ), this_run AS (
                SELECT run_id, recorded_at FROM runs
                WHERE run_id = coalesce(?, (SELECT arg_max(run_id, recorded_at) FROM runs))
            ), previous AS (
                SELECT arg_max(r.run_id, r.recorded_at) AS run_id
                FROM runs r, this_run t WHERE r.recorded_at < t.recorded_at
            ), now AS (
                SELECT h.* FROM {TABLE} h JOIN this_run USING (run_id)
            ), before AS (
                SELECT h.* FROM {TABLE} h JOIN previous USING (run_id)
            ), paired AS (
                SELECT n.claim_id, n.metric, n.unit,
                       b.verdict AS verdict_before, n.verdict AS verdict_after,
                       b.measured AS measured_before, n.measured AS measured_after,
                       coalesce(n.margin, ? * abs(b.measured)) AS margin
                FROM now n JOIN before b
                  ON b.claim_id = n.claim_id
                 AND coalesce(b.metric_id, b.metric) = coalesce(n.metric_id, n.metric)
            )
            SELECT *,
                   CASE WHEN verdict_before IS DISTINCT FROM verdict_after THEN 'verdict'
                        ELSE 'moved' END AS what
            FROM paired
            WHERE verdict_before IS DISTINCT FROM verdict_after
               OR abs(measured_after - measured_before) > margin
               OR (measured_before IS NULL) <> (measured_after IS NULL)
            ORDER BY claim_id, metric
            """,
            [run_id, DEFAULT_RELATIVE_MARGIN],
        ).df()
    except duckdb.CatalogException:
        return []
    changes = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]
    for change in changes:
        change["line"] = change_line(change)
    return changes


def scorecard(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """The run's recorded scorecard, for the table artifact."""
    frame = con.execute(
        f"SELECT claim_id, metric, measured, unit, verdict, data_vintage FROM {TABLE} "
        "WHERE run_id = ? ORDER BY claim_id, metric",
        [run_id],
    ).df()
    rows = []
    for row in frame.to_dict("records"):
        measured = row["measured"]
        row["measured"] = None if measured is None or math.isnan(measured) else round(measured, 3)
        vintage = row["data_vintage"]
        row["data_vintage"] = None if vintage is None or vintage != vintage else str(vintage)
        rows.append(row)
    return rows


def _figure(value) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def change_line(change: dict) -> str:
    """One line naming the claim, the metric and both values."""
    unit = f" {change['unit']}" if change.get("unit") else ""
    figures = f"{_figure(change['measured_before'])} -> {_figure(change['measured_after'])}{unit}"
    if change["what"] == "verdict":
        return (
            f"{change['claim_id']} verdict changed: {change['verdict_before']} -> "
            f"{change['verdict_after']} ({change['metric']}: {figures})"
        )
    return (
        f"{change['claim_id']} moved past its margin ({_figure(change['margin'])}{unit}): "
        f"{change['metric']}: {figures}, verdict {change['verdict_after']}"
    )


def markdown(changes: list[dict], run_id: str) -> str:
    """The short "what changed" note (artifact and webhook body)."""
    if not changes:
        return f"**decoupling refresh {run_id}**: no verdict changed and no figure moved past its margin."
    lines = [
        f"**decoupling refresh {run_id}**: {len(changes)} change(s) since the last refresh",
        "",
    ]
    lines += [f"- {change_line(c)}" for c in changes]
    return "\n".join(lines)


def safe_url(url: str) -> str:
    """scheme://host[:port] only: a webhook's path and query are its secret."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def post_webhook(url: str, text: str) -> None:
    """POST {"text": ...} as JSON (what Slack and Mattermost incoming webhooks take).
    Raises OSError naming only the host on failure."""
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "decoupling-alerts"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "code", None) or type(exc).__name__
        raise OSError(f"alert webhook {safe_url(url)} failed: {reason}") from None


def _logger() -> logging.Logger:
    """The flow run's logger (its lines reach the Prefect UI) when it shows warnings, else ours."""
    try:
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.logging import get_run_logger

        if TaskRunContext.get() or FlowRunContext.get():
            run_logger = get_run_logger()
            if run_logger.isEnabledFor(logging.WARNING):
                return run_logger
    except Exception:  # no Prefect context: a plain function call
        pass
    return log


def _in_flow_run() -> bool:
    try:
        from prefect.context import FlowRunContext, TaskRunContext

        return bool(TaskRunContext.get() or FlowRunContext.get())
    except Exception:
        return False


def _publish_artifacts(rows: list[dict], note: str, run_id: str) -> None:
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_table_artifact(
        table=rows,
        key=SCORECARD_ARTIFACT,
        description=f"Claim scorecard of refresh {run_id} (meta.verdict_history)",
    )
    create_markdown_artifact(
        markdown=note,
        key=CHANGES_ARTIFACT,
        description=f"What changed in refresh {run_id} since the previous refresh",
    )


def announce(settings: Settings, run_id: str) -> dict:
    """After publish: warn about each change, publish the artifacts, call the webhook.

    Reads the published warehouse read-only; never fails the refresh for an alert that could not
    be sent (that is logged at WARNING instead)."""
    from decoupling.warehouse import connect_published

    con = connect_published(settings)
    try:
        changes = verdict_changes(con, run_id)
        rows = scorecard(con, run_id)
    finally:
        con.close()
    logger = _logger()
    for change in changes:
        logger.warning(change["line"])
    note = markdown(changes, run_id)
    if _in_flow_run():
        _publish_artifacts(rows, note, run_id)
    webhook = os.environ.get(WEBHOOK_ENV, "").strip()
    posted = False
    if webhook and changes:
        try:
            post_webhook(webhook, note)
            posted = True
        except OSError as exc:
            logger.warning(str(exc))
    return {"changes": len(changes), "scorecard_rows": len(rows), "webhook_posted": posted}
