-- How the C1 headline moved as the data were revised: for each ALFRED vintage pulled (decoupling vintages), growth of nonfarm business output per hour (OPHNFB) and real hourly compensation (COMPRNFB) from 1979Q4 to the latest quarter both series had in that vintage. Empty until vintages are pulled.
-- column vintage_date: Date the vintage was in force
-- column last_quarter: Latest quarter held by both series in that vintage
-- column productivity_growth_pct: OPHNFB growth 1979Q4 to last_quarter as published then, percent
-- column compensation_growth_pct: COMPRNFB growth 1979Q4 to last_quarter as published then, percent
-- column gap_pts: productivity_growth_pct minus compensation_growth_pct, percentage points
CREATE OR REPLACE TABLE marts.c1_gap_vintages AS
WITH v AS (
    SELECT series_id, vintage_date, date, value
    FROM raw.vintages
    WHERE series_id IN ('OPHNFB', 'COMPRNFB') AND value IS NOT NULL
), base AS (
    SELECT series_id, vintage_date, value AS base_value
    FROM v WHERE date = DATE '1979-10-01'
), common AS (
    SELECT vintage_date, max(date) AS last_quarter
    FROM (
        SELECT vintage_date, date FROM v
        GROUP BY vintage_date, date HAVING count(DISTINCT series_id) = 2
    )
    GROUP BY vintage_date
), growth AS (
    SELECT c.vintage_date, c.last_quarter, v.series_id,
           100 * (v.value / b.base_value - 1) AS growth_pct
    FROM common c
    JOIN v ON v.vintage_date = c.vintage_date AND v.date = c.last_quarter
    JOIN base b ON b.series_id = v.series_id AND b.vintage_date = c.vintage_date
)
SELECT vintage_date, last_quarter,
       max(growth_pct) FILTER (WHERE series_id = 'OPHNFB') AS productivity_growth_pct,
       max(growth_pct) FILTER (WHERE series_id = 'COMPRNFB') AS compensation_growth_pct,
       max(growth_pct) FILTER (WHERE series_id = 'OPHNFB')
           - max(growth_pct) FILTER (WHERE series_id = 'COMPRNFB') AS gap_pts
FROM growth
GROUP BY vintage_date, last_quarter
ORDER BY vintage_date;
