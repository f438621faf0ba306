-- The release each series' current values come from, to flag ratios that mix vintages. A snapshot file is identified by its folder and its last observation (series of one NIPA release end on the same quarter; the snapshot's top-level files share one folder but were downloaded at different dates, so they end on different quarters); a live download by its source and access date (everything pulled together is FRED's current vintage).
-- column series_id: Series id
-- column source: Where the latest download came from (snapshot, fred, bls, bls_file, oews)
-- column url [; meta.downloads]: The latest download's location (snapshot file path or URL without key)
-- column vintage: Vintage text the download recorded (meta.downloads.vintage)
-- column accessed_at [UTC timestamp; meta.downloads]: When the latest download was received
-- column last_date: Last observation in the latest download
-- column sha256 [SHA-256 hex; meta.downloads]: Checksum of the latest download
-- column release: Release label used to compare series: folder and data end for snapshot files, source and access date for live downloads
CREATE OR REPLACE VIEW staging.series_release AS
WITH latest AS (
    SELECT series_id,
           arg_max(source, accessed_at) AS source,
           arg_max(url, accessed_at) AS url,
           arg_max(vintage, accessed_at) AS vintage,
           max(accessed_at) AS accessed_at,
           arg_max(last_date, accessed_at) AS last_date,
           arg_max(sha256, accessed_at) AS sha256
    FROM meta.downloads
    GROUP BY series_id
)
SELECT series_id, source, url, vintage, accessed_at, last_date, sha256,
       CASE WHEN source = 'snapshot'
            THEN regexp_replace(coalesce(vintage, 'snapshot'), '\s*\(file dated [^)]*\)', '')
                 || ', data to ' || strftime(last_date, '%Y-%m')
            ELSE source || ' accessed ' || strftime(accessed_at, '%Y-%m-%d')
       END AS release
FROM latest;
