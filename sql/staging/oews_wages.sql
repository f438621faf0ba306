-- OEWS hourly wages of every occupation, national, one row per occupation, measure and May reference year. A wage withheld as top-coded ('#') is a row with wage NULL and topcoded true; a suppressed wage ('*') or a year without a file (2009-2012 in the snapshot) has no row: gaps stay gaps. Codes are as published, so an occupation whose code changed with the 2018 SOC shows up as two codes (see soc_system); barbers 39-5011 and hairdressers 39-5012 kept their codes.
-- column soc [; BLS OEWS national]: SOC code as published, NN-NNNN
-- column occupation: Occupation title as published (latest title of the code)
-- column measure: H_MEAN (mean hourly wage) or H_MEDIAN (median hourly wage)
-- column year: Year of the May reference month
-- column wage [dollars per hour; BLS OEWS national]: Hourly wage (NULL when top-coded)
-- column topcoded: True when BLS withheld the wage because it is at or above the published cap
-- column soc_system: Occupational classification the year's file uses (SOC 2000, SOC 2010, hybrid 2010/2018, SOC 2018)
CREATE OR REPLACE VIEW staging.oews_wages AS
WITH obs AS (
    SELECT regexp_extract(series_id, '^OEWS_(\d{6})_(H_MEAN|H_MEDIAN)(_TOPCODED)?$', 1) AS code,
           regexp_extract(series_id, '^OEWS_(\d{6})_(H_MEAN|H_MEDIAN)(_TOPCODED)?$', 2) AS measure,
           series_id LIKE '%_TOPCODED' AS is_flag,
           year(date) AS year, value
    FROM staging.observations
    WHERE series_id LIKE 'OEWS_%' AND regexp_matches(series_id, '^OEWS_\d{6}_H_(MEAN|MEDIAN)(_TOPCODED)?$')
), titles AS (
    SELECT regexp_extract(series_id, '^OEWS_(\d{6})_', 1) AS code,
           max(regexp_extract(label, '^(.*) \(SOC [0-9-]+\):', 1)) AS occupation
    FROM meta.series_labels
    WHERE regexp_matches(series_id, '^OEWS_\d{6}_H_MEAN$')
    GROUP BY 1
)
SELECT substr(o.code, 1, 2) || '-' || substr(o.code, 3) AS soc,
       t.occupation,
       o.measure,
       o.year,
       max(o.value) FILTER (WHERE NOT o.is_flag) AS wage,
       coalesce(bool_or(o.is_flag AND o.value = 1), false) AS topcoded,
       CASE WHEN o.year <= 2009 THEN 'SOC 2000'
            WHEN o.year <= 2018 THEN 'SOC 2010'
            WHEN o.year <= 2020 THEN 'hybrid SOC 2010/2018'
            ELSE 'SOC 2018' END AS soc_system
FROM obs o
LEFT JOIN titles t USING (code)
GROUP BY o.code, t.occupation, o.measure, o.year;
