"""`decoupling claims` and `decoupling status`: the scorecard and the warehouse's state, printed."""

from __future__ import annotations

import duckdb
import pandas as pd

from decoupling.query import _terminal_width, open_read_only, render_frame, run_query
from decoupling.settings import load_settings


def claims(args) -> int:
    """The scorecard in the terminal: each claim, then its metrics with verdicts."""
    if getattr(args, "explain", None):
        from decoupling.claims.explain import explain

        print(explain(args.explain, args.warehouse))
        return 0
    frame = run_query(
        "SELECT * REPLACE (claimed::DOUBLE AS claimed) FROM marts.claims ORDER BY claim_id, metric",
        args.warehouse,
    )
    width = _terminal_width()
    for claim_id, rows in frame.groupby("claim_id", sort=True):
        print(f"{claim_id}  {rows['claim'].iloc[0]}")
        shown = rows[["metric", "claimed", "measured", "unit", "period", "verdict"]]
        print(render_frame(shown, width), end="")
        for row in rows.itertuples():
            print(f"  {row.metric}: {row.detail}")
            moves = getattr(
                row, "moves_most", None
            )  # optional column (see decoupling.report.build)
            if isinstance(moves, str) and moves:
                print(f"    moves it most: {moves}")
        print()
    return 0


TITLE_WIDTH = 48  # characters of a title shown; the catalog holds the rest


def series_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per catalog series: title, available, last observation, observations held (and
    the series an entry expands to, e.g. OEWS_NATIONAL -> one series per occupation and
    measure), last access. Observations are counted through the downloads of the entry, each
    (series, date) once: a second download of the same data adds nothing."""
    return con.execute(
        """
        WITH held AS (
            SELECT d.series_id AS id, o.series_id AS part, o.date
            FROM meta.downloads d JOIN raw.observations o ON o.download_sha256 = d.sha256
            WHERE o.value IS NOT NULL
        ), per_entry AS (
            SELECT id, max(date) AS last_obs, count(DISTINCT (part, date)) AS obs,
                   count(DISTINCT part) AS parts
            FROM held GROUP BY id
        ), fetched AS (
            SELECT series_id, max(accessed_at) AS accessed FROM meta.downloads GROUP BY series_id
        )
        SELECT s.id, s.title, a.available, p.last_obs, coalesce(p.obs, 0) AS obs,
               CASE WHEN p.parts > 1 THEN p.parts END AS series,
               f.accessed, a.reason
        FROM meta.series s
        LEFT JOIN meta.availability a ON a.series_id = s.id
        LEFT JOIN per_entry p ON p.id = s.id
        LEFT JOIN fetched f ON f.series_id = s.id
        ORDER BY s.id
        """
    ).df()


def _shown(series: pd.DataFrame) -> pd.DataFrame:
    """The status table as printed: yes/no, short titles, times to the minute."""
    shown = series.copy()
    shown["title"] = shown["title"].map(
        lambda t: (
            t if not isinstance(t, str) or len(t) <= TITLE_WIDTH else t[: TITLE_WIDTH - 1] + "…"
        )
    )
    shown["available"] = shown["available"].map({True: "yes", False: "no"})
    shown["accessed"] = shown["accessed"].map(
        lambda t: t.strftime("%Y-%m-%d %H:%M") if pd.notna(t) else None
    )
    shown["series"] = shown["series"].map(lambda n: f"{int(n):,}" if pd.notna(n) else None)
    return shown


def status(args) -> int:
    con = open_read_only(args.warehouse)
    try:
        run = con.execute(
            "SELECT run_id, command, finished_at, inputs, new_rows, revised_rows "
            "FROM meta.runs ORDER BY finished_at DESC LIMIT 1"
        ).fetchall()
        series = series_status(con)
        changes = con.execute(
            "SELECT series_id, new_observations, revised_values, max_abs_revision "
            "FROM meta.changes WHERE run_id = (SELECT run_id FROM meta.runs "
            "WHERE new_rows IS NOT NULL ORDER BY finished_at DESC LIMIT 1) "
            "AND revised_values > 0 ORDER BY series_id"
        ).df()
    finally:
        con.close()
    run = run[0] if run else None
    width = _terminal_width()
    if run:
        print(f"last run: {run[0]} ({run[1]}) finished {run[2]:%Y-%m-%d %H:%M UTC} from {run[3]}")
        if run[4] is not None:
            print(f"  {run[4]:,} new observations, {run[5]:,} revised values")
    _print_operations(args.warehouse)
    held = int(series["available"].fillna(False).sum())
    print(f"series held: {held} of {len(series)} in the catalog")
    print(render_frame(_shown(series), width, null=""), end="")
    if not changes.empty:
        print("\nrevised by the last load:")
        print(render_frame(changes, width, null=""), end="")
    return 0


def _print_operations(warehouse: str | None) -> None:
    """Whether a refresh is running now, and what readers see (the published copy)."""
    from decoupling.warehouse import lock_holder
    from decoupling.warehouse import readers as exports

    settings = load_settings(warehouse=warehouse)
    holder = lock_holder(settings)
    print(f"refresh running: yes (pid {holder})" if holder else "refresh running: no")
    current = exports.current_run(settings)
    where = exports.current_dir(settings)
    print(f"readers' copy: {where} (run {current})" if current else "readers' copy: none yet")
