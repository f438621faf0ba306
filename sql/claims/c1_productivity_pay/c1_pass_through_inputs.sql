-- Annual inputs of the C1 pass-through (Stansbury & Summers 2017 style): real net productivity in output prices and real pay in consumer prices (CPI-U-RS linked to CPI-U before 1978, annual mean of 12 months). Productivity = net domestic product / hours of all workers / NDP price index, NDP and its price index from the BEA Section 1 workbook (one vintage: BEA_A362RC, BEA_A362RG) when held, else the NIPA CSV's NDP over the GDP deflator (mixed vintage, labelled in ndp_source). Typical pay = EPI production/nonsupervisory hourly compensation; mean pay = compensation of employees paid (BEA_A4002C, same workbook; W209RC1 received only when the workbook is not held, never mixed year by year) / employee hours (TOTAL_ECONOMY_HOURS_EMPLOYEES, staging.total_economy_hours: BLS total-economy hours of all workers less nonfarm proprietors, unpaid family workers and farm, one release of the BLS file; NULL where not held). Annual values average four quarters.
-- column year: Calendar year
-- column productivity_real: NDP per hour of all workers in NDP prices (an index level)
-- column typical_real: Production/nonsupervisory hourly compensation / consumer price (an index level)
-- column mean_real: Compensation of employees per employee hour / consumer price (NULL without employee hours)
-- column ndp_source: Which NDP and price index were used: 'BEA workbook, NDP price index (one vintage)' or 'NIPA CSV over the GDP deflator (mixed vintage)'
CREATE OR REPLACE TABLE marts.c1_pass_through_inputs AS
WITH bea AS (
    SELECT year,
           max(value) FILTER (WHERE series_id = 'BEA_A362RC') / 1000.0 AS ndp,
           max(value) FILTER (WHERE series_id = 'BEA_A362RG') AS ndp_price,
           max(value) FILTER (WHERE series_id = 'BEA_A4002C') / 1000.0 AS compensation_paid
    FROM staging.annual
    WHERE series_id IN ('BEA_A362RC', 'BEA_A362RG', 'BEA_A4002C')
    GROUP BY year
), cpi AS (
    SELECT year(date) AS year, avg(value) AS value FROM staging.cpi_u_rs_linked
    GROUP BY year(date) HAVING count(*) = 12
), use_bea AS (
    SELECT count(*) FILTER (WHERE ndp IS NOT NULL AND ndp_price IS NOT NULL) > 0 AS yes,
           count(compensation_paid) > 0 AS paid
    FROM bea
), a AS (
    SELECT year(i.date) AS year, i.* EXCLUDE (ndp_price, compensation_paid), b.ndp AS bea_ndp, b.ndp_price,
           b.compensation_paid, c.value AS cpi
    FROM staging.c1_inputs i
    LEFT JOIN bea b ON b.year = year(i.date)
    LEFT JOIN cpi c ON c.year = year(i.date)
    WHERE i.frequency = 'A'
)
SELECT a.year,
       CASE WHEN u.yes THEN a.bea_ndp / a.hours / a.ndp_price ELSE a.ndp / a.hours / a.gdpdef END AS productivity_real,
       a.ahe * a.compensation / a.wages / a.cpi AS typical_real,
       CASE WHEN u.paid THEN a.compensation_paid ELSE a.compensation END / a.employee_hours / a.cpi AS mean_real,
       CASE WHEN u.yes THEN 'BEA workbook, NDP price index (one vintage)'
            ELSE 'NIPA CSV over the GDP deflator (mixed vintage)' END AS ndp_source
FROM a CROSS JOIN use_bea u
WHERE a.cpi IS NOT NULL
ORDER BY a.year;
