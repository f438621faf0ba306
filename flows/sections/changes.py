"""What the last refresh changed: new observations and revised values per series, with sizes.

Not a claim: it tells a reader whether the figures above moved because of new data or revisions.
"""

from __future__ import annotations

import duckdb

from flows.sections import Section

ORDER = 90


def build(con: duckdb.DuckDBPyConnection) -> Section:
    section = Section(
        id="Changes", title="What changed since the previous refresh", template="changes.html.j2"
    )
    run = con.execute(
        "SELECT run_id, finished_at, inputs, new_rows, revised_rows FROM meta.runs "
        "WHERE new_rows IS NOT NULL ORDER BY finished_at DESC LIMIT 1"
    ).fetchall()
    if not run:
        section.available = False
        section.reason = "no load has been recorded yet"
        return section
    run_id, finished, inputs, new_rows, revised_rows = run[0]
    changes = con.execute(
        """
        SELECT c.series_id, coalesce(s.title, l.label, c.series_id) AS title,
               c.new_observations, c.revised_values, c.max_abs_revision,
               100 * c.max_rel_revision AS max_rel_revision_pct
        FROM meta.changes c
        LEFT JOIN meta.series s ON s.id = c.series_id
        LEFT JOIN meta.series_labels l ON l.series_id = c.series_id
        WHERE c.run_id = ?
        ORDER BY c.revised_values DESC, c.new_observations DESC, c.series_id
        """,
        [run_id],
    ).df()
    earlier = con.execute(
        "SELECT count(*) FROM meta.runs WHERE new_rows IS NOT NULL AND finished_at < ?",
        [finished],
    ).fetchall()[0][0]
    section.context.update(
        run_id=run_id,
        finished=finished,
        inputs=inputs,
        new_rows=new_rows,
        revised_rows=revised_rows,
        first_load=earlier == 0,
        rows=changes.astype(object).where(changes.notna(), None).to_dict("records"),
    )
    return section
