-- Scorecard rows for claim C1 (productivity-pay gap since 1979).
-- column claim_id: Claim id as in docs/CLAIMS.md
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states
-- column measured: The figure computed from the data
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
CREATE OR REPLACE TABLE marts.claims_c1 AS
WITH latest AS (
    SELECT * FROM marts.productivity_pay
    WHERE productivity IS NOT NULL AND real_compensation IS NOT NULL AND real_ahe_cpiu IS NOT NULL
    ORDER BY date DESC LIMIT 1
), m AS (
    SELECT date, productivity - 100 AS prod_growth, real_compensation - 100 AS comp_growth,
           real_ahe_cpiu - 100 AS ahe_growth,
           '1979Q4-' || year(date) || 'Q' || quarter(date) AS period
    FROM latest
)
SELECT 'C1' AS claim_id,
       'Since 1979 US productivity rose about 90% while typical worker pay rose about 33%.' AS claim,
       'productivity growth (nonfarm business output per hour)' AS metric, 90.0 AS claimed,
       prod_growth AS measured, 'percent' AS unit, period,
       CASE WHEN prod_growth IS NULL THEN 'not available'
            WHEN prod_growth > 33 THEN 'supported' ELSE 'not supported' END AS verdict,
       'Nonfarm business output per hour (OPHNFB) grew ' || round(prod_growth, 1) || '% over ' || period || '.' AS detail
FROM m
UNION ALL
SELECT 'C1', 'Since 1979 US productivity rose about 90% while typical worker pay rose about 33%.',
       'pay growth (production and nonsupervisory hourly earnings, CPI-U deflated)', 33.0, ahe_growth,
       'percent', period,
       CASE WHEN ahe_growth IS NULL THEN 'not available'
            WHEN ahe_growth < prod_growth - 20 THEN 'supported' ELSE 'not supported' END,
       'Typical hourly earnings deflated by CPI-U grew ' || round(ahe_growth, 1) || '% against '
           || round(prod_growth, 1) || '% for productivity; mean real compensation grew '
           || round(comp_growth, 1) || '%.'
FROM m;
