-- Headline quarterly series indexed to 1979Q4 = 100, as the simplest productivity-pay chart draws them: nonfarm business output per hour (OPHNFB), real hourly compensation (COMPRNFB, BLS deflator) and production/nonsupervisory average hourly earnings (AHETPI) deflated by CPI-U (CPIAUCSL). The full set of measures is in marts.c1_series.
-- column date: First day of the quarter
-- column productivity: OPHNFB, index 1979Q4 = 100
-- column real_compensation: COMPRNFB, index 1979Q4 = 100
-- column real_ahe_cpiu: AHETPI / CPIAUCSL (quarterly averages), index 1979Q4 = 100
CREATE OR REPLACE TABLE marts.productivity_pay AS
WITH q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'OPHNFB') AS ophnfb,
           max(value) FILTER (WHERE series_id = 'COMPRNFB') AS comprnfb,
           max(value) FILTER (WHERE series_id = 'AHETPI') AS ahetpi,
           max(value) FILTER (WHERE series_id = 'CPIAUCSL') AS cpi
    FROM staging.quarterly
    WHERE series_id IN ('OPHNFB', 'COMPRNFB', 'AHETPI', 'CPIAUCSL')
    GROUP BY date
), base AS (
    SELECT * FROM q WHERE date = DATE '1979-10-01'
)
SELECT q.date,
       100 * q.ophnfb / base.ophnfb AS productivity,
       100 * q.comprnfb / base.comprnfb AS real_compensation,
       100 * (q.ahetpi / q.cpi) / (base.ahetpi / base.cpi) AS real_ahe_cpiu
FROM q CROSS JOIN base
ORDER BY q.date;
