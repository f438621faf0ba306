-- The current view holds one value per series and date.
SELECT series_id, date, count(*) AS n
FROM staging.observations
GROUP BY series_id, date
HAVING count(*) > 1;
