"""Append-only loading of parsed downloads into raw.observations and meta.downloads."""

from __future__ import annotations

import duckdb
import pandas as pd

from decoupling.sources.base import Download

Change = tuple[int, int, float | None, float | None]


def in_force(con: duckdb.DuckDBPyConnection, keys: list[str] | None = None) -> set[tuple[str, str]]:
    """(series key, sha256) of the download in force for each series key (the latest loaded;
    load order breaks a tie of access times), for `keys` or all."""
    where = "" if keys is None else "WHERE series_key IN (SELECT unnest(?))"
    rows = con.execute(
        f"""
        WITH ranked AS (
            SELECT series_key, sha256,
                   row_number() OVER (PARTITION BY series_key
                                      ORDER BY accessed_at DESC, rowid DESC) AS rank
            FROM meta.downloads {where}
        )
        SELECT series_key, sha256 FROM ranked WHERE rank = 1
        """,
        [] if keys is None else [keys],
    ).fetchall()
    return set(rows)


def load_download(
    con: duckdb.DuckDBPyConnection,
    download: Download,
    observations: pd.DataFrame,
    run_id: str,
    landed_path: str | None,
) -> dict[str, Change]:
    """Append what is new or revised in one download (see `load_downloads`)."""
    return load_downloads(con, [(download, observations, landed_path)], run_id)


def load_downloads(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[Download, pd.DataFrame, str | None]],
    run_id: str,
) -> dict[str, Change]:
    """Append what is new or revised in a batch of downloads, in one pass; return per-series
    (new, revised, max abs, max rel revision) summed over the batch.

    The result is the same as loading the downloads one after another in batch order: a value is
    a new row when its date is not held and it is not missing, or when it differs from the value
    in force just before it (the warehouse's current value or an earlier download of the batch).
    A refresh says what this run's inputs say: a download that is the one in force for its
    series key (the latest loaded) adds nothing; one loaded before but since replaced (a switch
    back from another snapshot or release) is loaded again, so its values become current again
    and it is recorded as the latest download. One registered frame, one diff query and one
    insert per table, whatever the number of downloads.
    """
    if not batch:
        return {}
    already = in_force(con, sorted({d.key for d, _, _ in batch}))
    fresh: list[tuple[Download, pd.DataFrame, str | None]] = []
    for download, observations, landed in batch:
        if (download.key, download.sha256) not in already:
            already.add((download.key, download.sha256))
            fresh.append((download, observations, landed))
    if not fresh:
        return {}
    incoming = pd.concat(
        [
            o[["series_id", "date", "value"]].assign(ord=order)
            for order, (_, o, _) in enumerate(fresh)
        ],
        ignore_index=True,
    )
    incoming["series_id"] = incoming["series_id"].astype(str)
    incoming["date"] = pd.to_datetime(incoming["date"])
    downloads = pd.DataFrame(
        {
            "ord": range(len(fresh)),
            "sha256": [d.sha256 for d, _, _ in fresh],
            "series_key": [d.key for d, _, _ in fresh],
            "series_id": [d.series_id for d, _, _ in fresh],
            "part": pd.Series([d.part for d, _, _ in fresh], dtype=object),
            "source": [d.source for d, _, _ in fresh],
            "url": [d.url for d, _, _ in fresh],
            "fmt": [d.fmt for d, _, _ in fresh],
            "accessed_at": pd.to_datetime([d.accessed_at for d, _, _ in fresh], utc=True),
            "vintage": pd.Series([d.vintage for d, _, _ in fresh], dtype=object),
            "rows": [len(o) for _, o, _ in fresh],
            "license": [d.license for d, _, _ in fresh],
            "landed_path": pd.Series([p for _, _, p in fresh], dtype=object),
        }
    )
    con.register("incoming", incoming)
    con.register("incoming_downloads", downloads)
    try:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE incoming_diff AS
            WITH batch AS (
                SELECT series_id, date::DATE AS date,
                       CASE WHEN isnan(value) THEN NULL ELSE value END AS value, ord
                FROM incoming
            ), current AS (
                -- arg_max_null: a withdrawn (NULL) value is the current one, not the value before it.
                SELECT series_id, date, arg_max_null(value, load_seq) AS value, -1 AS ord
                FROM raw.observations
                WHERE series_id IN (SELECT DISTINCT series_id FROM batch)
                GROUP BY series_id, date
            ), sequence AS (
                SELECT *, false AS from_warehouse FROM batch
                UNION ALL BY NAME
                SELECT *, true AS from_warehouse FROM current
            ), judged AS (
                SELECT *,
                    coalesce(bool_or(from_warehouse OR value IS NOT NULL) OVER earlier, false)
                        AS held_before,
                    lag(value) OVER (PARTITION BY series_id, date ORDER BY ord) AS previous
                FROM sequence
                WINDOW earlier AS (
                    PARTITION BY series_id, date ORDER BY ord
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                )
            )
            SELECT series_id, date, value, ord, previous AS old_value,
                   NOT held_before AS is_new,
                   row_number() OVER (ORDER BY ord, series_id, date) AS rn
            FROM judged
            WHERE NOT from_warehouse
              AND ((NOT held_before AND value IS NOT NULL)
                   OR (held_before AND previous IS DISTINCT FROM value))
            """
        )
        count = con.execute("SELECT count(*) FROM incoming_diff").fetchall()[0][0]
        if count:
            # Take `count` numbers from the sequence at once (one writer holds the lock, so they
            # are consecutive) and give them out in batch order: the latest download wins.
            last = con.execute(
                "SELECT max(nextval('raw.load_seq')) FROM range(?)", [count]
            ).fetchall()[0][0]
            con.execute(
                """
                INSERT INTO raw.observations
                SELECT i.series_id, i.date, i.value, d.accessed_at, d.sha256, ? + i.rn
                FROM incoming_diff i JOIN incoming_downloads d USING (ord)
                ORDER BY i.rn
                """,
                [last - count],
            )
        summary = con.execute(
            """
            SELECT series_id, count(*) FILTER (WHERE is_new),
                   count(*) FILTER (WHERE NOT is_new),
                   max(abs(value - old_value)) FILTER (WHERE NOT is_new),
                   max(abs(value - old_value) / nullif(abs(old_value), 0)) FILTER (WHERE NOT is_new)
            FROM incoming_diff GROUP BY series_id
            """
        ).fetchall()
        labelled = [
            o[["series_id", "label"]].assign(ord=order)
            for order, (_, o, _) in enumerate(fresh)
            if "label" in o.columns
        ]
        if labelled:
            labels = pd.concat(labelled, ignore_index=True).dropna(subset=["label"])
            labels["series_id"] = labels["series_id"].astype(str)
            labels["label"] = labels["label"].astype(str)
            con.register("incoming_labels", labels)
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE latest_labels AS
                SELECT series_id, arg_max(label, ord) AS label
                FROM incoming_labels GROUP BY series_id;
                DELETE FROM meta.series_labels
                WHERE series_id IN (SELECT series_id FROM latest_labels);
                INSERT INTO meta.series_labels SELECT series_id, label FROM latest_labels;
                DROP TABLE latest_labels;
                """
            )
            con.unregister("incoming_labels")
        con.execute(
            """
            INSERT INTO meta.downloads
            SELECT d.sha256, d.series_key, d.series_id, d.part, d.source, d.url, d.fmt,
                   d.accessed_at, d.vintage, d.rows, s.first_date, s.last_date, d.license,
                   d.landed_path, ?
            FROM incoming_downloads d
            LEFT JOIN (
                SELECT ord, min(date)::DATE AS first_date, max(date)::DATE AS last_date
                FROM incoming GROUP BY ord
            ) s USING (ord)
            ORDER BY d.ord
            """,
            [run_id],
        )
        con.execute("DROP TABLE incoming_diff")
    finally:
        con.unregister("incoming")
        con.unregister("incoming_downloads")
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in summary}
