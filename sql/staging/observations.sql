-- The current value of every series and date: the latest vintage in raw.observations (withdrawn values dropped).
-- column series_id: Series id
-- column date: First day of the observation period
-- column value [units of meta.series; raw.observations]: Current value
-- column vintage [UTC timestamp; raw.observations]: When the current value was first received
-- column frequency: M monthly, Q quarterly, A annual (A for OEWS series outside the catalog)
CREATE OR REPLACE VIEW staging.observations AS
WITH latest AS (
    SELECT series_id, date,
           arg_max_null(value, load_seq) AS value,
           arg_max_null(vintage, load_seq) AS vintage
    FROM raw.observations
    GROUP BY series_id, date
)
SELECT l.series_id, l.date, l.value, l.vintage, coalesce(s.frequency, 'A') AS frequency
FROM latest l
LEFT JOIN meta.series s ON s.id = l.series_id
WHERE l.value IS NOT NULL;
