-- CPI-U-RS linked back with CPI-U, monthly: the CPI-U-RS (CPI_U_RS) from December 1977 and CPI-U (CPIAUCNS, not seasonally adjusted) before, ratio-linked at December 1977: the consumer deflator of EPI until 2024 and of Bivens & Mishel (2015), used for the C1 pass-through and wedges.
-- column date: First day of the month
-- column value: CPI-U-RS, index December 1977 = 100 (CPI-U growth before)
-- column segment: Which published index supplies the month's growth (CPI_U_RS or CPIAUCNS)
CREATE OR REPLACE VIEW staging.cpi_u_rs_linked AS
WITH m AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'CPI_U_RS') AS rs,
           max(value) FILTER (WHERE series_id = 'CPIAUCNS') AS cpi_u
    FROM staging.observations
    WHERE series_id IN ('CPI_U_RS', 'CPIAUCNS')
    GROUP BY date
), link AS (
    SELECT max(rs / cpi_u) FILTER (WHERE date = DATE '1977-12-01') AS factor FROM m
)
SELECT date, rs AS value, 'CPI_U_RS' AS segment FROM m WHERE date >= DATE '1977-12-01' AND rs IS NOT NULL
UNION ALL
SELECT date, cpi_u * link.factor, 'CPIAUCNS' FROM m, link WHERE date < DATE '1977-12-01' AND cpi_u IS NOT NULL;
