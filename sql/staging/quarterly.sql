-- Quarterly values of every monthly and quarterly series: monthly series averaged over complete quarters only (all three months present), so frequencies never mix silently.
-- column series_id: Series id
-- column date: First day of the quarter
-- column value [units of meta.series; staging.observations]: Quarterly value (average of the three months for monthly series)
-- column months [count]: Months averaged (3) for monthly series; NULL for series published quarterly
-- column source_frequency: Frequency of the series as published (M or Q)
CREATE OR REPLACE VIEW staging.quarterly AS
SELECT series_id, CAST(date_trunc('quarter', date) AS DATE) AS date, avg(value) AS value,
       count(*) AS months, 'M' AS source_frequency
FROM staging.observations
WHERE frequency = 'M'
GROUP BY series_id, date_trunc('quarter', date)
HAVING count(*) = 3
UNION ALL
SELECT series_id, date, value, NULL, 'Q'
FROM staging.observations
WHERE frequency = 'Q';
