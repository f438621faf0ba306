-- Service-providing, goods-producing and manufacturing shares of nonfarm payroll employment (C6), one row per complete calendar year: the ratio of the year's monthly averages (employment-weighted), from the FRED-MD monthly database (SRVPRD, USGOOD, MANEMP over PAYEMS; thousands of persons, seasonally adjusted). A year counts only when all twelve months of PAYEMS and SRVPRD are held, so a partial latest year is left out.
-- column year: Calendar year
-- column payems: Total nonfarm payrolls, thousands, mean of the twelve months
-- column services_pct: Service-providing share (SRVPRD / PAYEMS), percent
-- column goods_pct: Goods-producing share (USGOOD / PAYEMS), percent (NULL when USGOOD is not held)
-- column manufacturing_pct: Manufacturing share (MANEMP / PAYEMS), percent (NULL when MANEMP is not held)
-- column months: Months of PAYEMS held in the year (12)
CREATE OR REPLACE TABLE marts.c6_payroll_shares AS
WITH m AS (
    SELECT date, series_id, value FROM staging.observations
    WHERE series_id IN ('FREDMD_PAYEMS', 'FREDMD_SRVPRD', 'FREDMD_USGOOD', 'FREDMD_MANEMP')
), y AS (
    SELECT year(date) AS year,
           avg(value) FILTER (WHERE series_id = 'FREDMD_PAYEMS') AS payems,
           avg(value) FILTER (WHERE series_id = 'FREDMD_SRVPRD') AS srvprd,
           avg(value) FILTER (WHERE series_id = 'FREDMD_USGOOD') AS usgood,
           avg(value) FILTER (WHERE series_id = 'FREDMD_MANEMP') AS manemp,
           count(*) FILTER (WHERE series_id = 'FREDMD_PAYEMS') AS months,
           count(*) FILTER (WHERE series_id = 'FREDMD_SRVPRD') AS srv_months,
           count(*) FILTER (WHERE series_id = 'FREDMD_USGOOD') AS goods_months,
           count(*) FILTER (WHERE series_id = 'FREDMD_MANEMP') AS man_months
    FROM m GROUP BY 1
)
SELECT year, payems, 100 * srvprd / payems AS services_pct,
       CASE WHEN goods_months = 12 THEN 100 * usgood / payems END AS goods_pct,
       CASE WHEN man_months = 12 THEN 100 * manemp / payems END AS manufacturing_pct,
       months
FROM y
WHERE months = 12 AND srv_months = 12
ORDER BY year;
