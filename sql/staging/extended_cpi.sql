-- EPI's extended chained CPI-U, monthly: the chained CPI-U (SUUR0000SA0) from December 1999, the CPI-U-RS (CPI_U_RS) from December 1977 to November 1999 and CPI-U (CPIAUCNS, not seasonally adjusted like the other two) before, each older segment ratio-linked to the newer one at its join month, so growth within each segment is the segment's own. Index December 1999 = 100.
-- column date: First day of the month
-- column value [index December 1999=100; BLS CPI: SUUR0000SA0, CPI_U_RS, CPIAUCNS]: Extended chained CPI-U
-- column segment: Which published index supplies the month's growth (SUUR0000SA0, CPI_U_RS or CPIAUCNS)
CREATE OR REPLACE VIEW staging.extended_cpi AS
WITH m AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'SUUR0000SA0') AS chained,
           max(value) FILTER (WHERE series_id = 'CPI_U_RS') AS rs,
           max(value) FILTER (WHERE series_id = 'CPIAUCNS') AS cpi_u
    FROM staging.observations
    WHERE series_id IN ('SUUR0000SA0', 'CPI_U_RS', 'CPIAUCNS')
    GROUP BY date
), links AS (
    SELECT max(chained / rs) FILTER (WHERE date = DATE '1999-12-01') AS rs_to_chained,
           max(rs / cpi_u) FILTER (WHERE date = DATE '1977-12-01') AS cpi_u_to_rs
    FROM m
)
SELECT date, chained AS value, 'SUUR0000SA0' AS segment
FROM m WHERE date >= DATE '1999-12-01' AND chained IS NOT NULL
UNION ALL
SELECT date, rs * rs_to_chained, 'CPI_U_RS'
FROM m, links WHERE date >= DATE '1977-12-01' AND date < DATE '1999-12-01' AND rs IS NOT NULL
UNION ALL
SELECT date, cpi_u * cpi_u_to_rs * rs_to_chained, 'CPIAUCNS'
FROM m, links WHERE date < DATE '1977-12-01' AND cpi_u IS NOT NULL;
