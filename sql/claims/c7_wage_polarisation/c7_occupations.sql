-- OEWS national estimates of every detailed occupation and year held (May reference month), with the all-occupations total. An occupation is detailed when no other code of the same year's file sits under it in the SOC hierarchy (a broad or minor group that BLS publishes as the finest level counts as detailed, as the workbooks' group column says); this reproduces the workbooks' 'detailed' rows in every file of the snapshot. Titles are the latest title published under each code (the warehouse keeps one label per code).
-- column year: Year of the May reference month
-- column soc: SOC code as published, NN-NNNN (00-0000 = all occupations)
-- column is_total: True for the all-occupations row 00-0000
-- column title: Occupation title, the latest published under the code
-- column title_key: The title lower-cased, punctuation to spaces, spaces collapsed (the linking key)
-- column emp: Employment (TOT_EMP, excluding the self-employed); NULL when suppressed
-- column h_mean: Mean hourly wage, dollars; NULL when not published or top-coded
-- column a_mean: Mean annual wage, dollars; NULL when not published or top-coded
-- column h_median: Median hourly wage, dollars; NULL when not published or top-coded
-- column h_median_topcoded: True when BLS withheld the median hourly wage as at or above its cap
-- column wage_mean_rank: Hourly wage used to rank by mean: H_MEAN, or A_MEAN / 2080 where only the annual mean is published (OEWS's own 2080-hour year)
-- column wage_median_rank: Hourly wage used to rank by median: H_MEDIAN; 1e9 when top-coded (ranks at the top)
CREATE OR REPLACE TABLE marts.c7_occupations AS
WITH obs AS (
    SELECT regexp_extract(series_id, '^OEWS_(\d{6})_', 1) AS code,
           regexp_extract(series_id, '^OEWS_\d{6}_([A-Z_]+)$', 1) AS measure,
           year(date) AS year, value
    FROM staging.observations
    WHERE regexp_matches(series_id, '^OEWS_\d{6}_(TOT_EMP|H_MEAN|A_MEAN|H_MEDIAN|H_MEDIAN_TOPCODED)$')
), wide AS (
    SELECT substr(code, 1, 2) || '-' || substr(code, 3) AS soc, year,
           max(value) FILTER (WHERE measure = 'TOT_EMP') AS emp,
           max(value) FILTER (WHERE measure = 'H_MEAN') AS h_mean,
           max(value) FILTER (WHERE measure = 'A_MEAN') AS a_mean,
           max(value) FILTER (WHERE measure = 'H_MEDIAN') AS h_median,
           coalesce(bool_or(measure = 'H_MEDIAN_TOPCODED' AND value = 1), false) AS h_median_topcoded
    FROM obs GROUP BY ALL
), titles AS (
    SELECT substr(series_id, 6, 2) || '-' || substr(series_id, 8, 4) AS soc,
           max(regexp_extract(label, '^(.*) \(SOC [0-9-]+\):', 1)) AS title
    FROM meta.series_labels
    WHERE regexp_matches(series_id, '^OEWS_\d{6}_TOT_EMP$')
    GROUP BY 1
), prefix_counts AS (
    -- codes per prefix (3-6 characters) in a year: a code whose zero-stripped prefix two or
    -- more codes share (itself and a finer one) is a group (one pass, not a self-join per code)
    SELECT year, left(soc, n) AS prefix, count(*) AS codes
    FROM wide, range(3, 7) AS lengths(n)
    GROUP BY ALL
), leaves AS (
    SELECT w.*, w.soc = '00-0000' AS is_total,
           w.soc = '00-0000'
           OR (rtrim(w.soc, '0') <> w.soc AND coalesce(p.codes, 0) >= 2) AS is_group
    FROM wide w
    LEFT JOIN prefix_counts p ON p.year = w.year AND p.prefix = rtrim(w.soc, '0')
)
SELECT l.year, l.soc, l.is_total, t.title,
       trim(regexp_replace(lower(coalesce(t.title, '')), '[^a-z0-9]+', ' ', 'g')) AS title_key,
       l.emp, l.h_mean, l.a_mean, l.h_median, l.h_median_topcoded,
       coalesce(l.h_mean, l.a_mean / 2080) AS wage_mean_rank,
       CASE WHEN l.h_median_topcoded THEN 1e9 ELSE l.h_median END AS wage_median_rank
FROM leaves l
LEFT JOIN titles t USING (soc)
WHERE l.is_total OR NOT l.is_group
ORDER BY l.year, l.soc;
