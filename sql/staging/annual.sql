-- Annual values of every series: annual series as published, quarterly and monthly series averaged over complete years only.
-- column series_id: Series id
-- column year: Calendar year
-- column value [units of meta.series; staging.observations]: Annual value (average of the periods within the year for sub-annual series)
-- column periods [count]: Periods averaged (12 months or 4 quarters; 1 for annual series)
-- column source_frequency: Frequency of the series as published (M, Q or A)
CREATE OR REPLACE VIEW staging.annual AS
SELECT series_id, year(date) AS year, avg(value) AS value, count(*) AS periods, frequency AS source_frequency
FROM staging.observations
GROUP BY series_id, year(date), frequency
HAVING count(*) = CASE frequency WHEN 'M' THEN 12 WHEN 'Q' THEN 4 ELSE 1 END;
