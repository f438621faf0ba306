-- Scorecard rows for claim C5 (gains went to margins, not households): change since 1979Q4 of the nonfarm business labor share (BLS index), the nonfinancial corporate labor share of net value added (NIPA level) and corporate profits / GDP.
-- column claim_id: Claim id as in docs/CLAIMS.md
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states (NULL: the claim states none)
-- column measured: The figure computed from the data
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
CREATE OR REPLACE TABLE marts.claims_c5 AS
WITH claim AS (
    SELECT 'Productivity gains arrived as corporate margins and asset values rather than household income.' AS claim
), base AS (
    SELECT * FROM marts.labor_share WHERE date = DATE '1979-10-01'
), last_nfb AS (
    SELECT date, nfb_labor_share_idx AS v FROM marts.labor_share
    WHERE nfb_labor_share_idx IS NOT NULL ORDER BY date DESC LIMIT 1
), last_nfc AS (
    SELECT date, nfc_labor_share_pct AS v FROM marts.labor_share
    WHERE nfc_labor_share_pct IS NOT NULL ORDER BY date DESC LIMIT 1
), last_profit AS (
    SELECT date, cprofit_gdp_pct AS v, profits_gdp_mixed_vintage AS mixed, profits_gdp_releases AS releases
    FROM marts.labor_share WHERE cprofit_gdp_pct IS NOT NULL ORDER BY date DESC LIMIT 1
), metrics AS (
    SELECT 1 AS pos, 'nonfarm business labor share (BLS index), change since 1979Q4' AS metric, 'percent' AS unit,
           100 * (l.v / b.nfb_labor_share_idx - 1) AS measured, l.date AS last_date,
           b.nfb_labor_share_idx AS from_v, l.v AS to_v, false AS mixed, NULL AS releases, 'nfb_labor_share' AS analysis
    FROM (SELECT 1) dummy LEFT JOIN last_nfb l ON true LEFT JOIN base b ON true
    UNION ALL
    SELECT 2, 'nonfinancial corporate labor share of net value added (NIPA), change since 1979Q4', 'percentage points',
           l.v - b.nfc_labor_share_pct, l.date, b.nfc_labor_share_pct, l.v, false, NULL, 'nfc_shares_nipa'
    FROM (SELECT 1) dummy LEFT JOIN last_nfc l ON true LEFT JOIN base b ON true
    UNION ALL
    SELECT 3, 'corporate profits / GDP (CPROFIT / GDP), change since 1979Q4', 'percentage points',
           l.v - b.cprofit_gdp_pct, l.date, b.cprofit_gdp_pct, l.v, l.mixed, l.releases, 'profits_gdp'
    FROM (SELECT 1) dummy LEFT JOIN last_profit l ON true LEFT JOIN base b ON true
)
SELECT 'C5' AS claim_id, c.claim, m.metric, NULL::DOUBLE AS claimed, m.measured, m.unit,
       CASE WHEN m.last_date IS NOT NULL THEN '1979Q4-' || strftime(m.last_date, '%Y') || 'Q' || quarter(m.last_date) END AS period,
       CASE WHEN m.measured IS NULL THEN 'not available'
            WHEN m.pos < 3 AND m.measured < 0 THEN 'supported'
            WHEN m.pos = 3 AND m.measured > 0 THEN 'supported'
            ELSE 'not supported' END AS verdict,
       CASE WHEN m.measured IS NULL
            THEN 'Not available: ' || coalesce((SELECT reason FROM marts.availability_c3_c5 a WHERE a.analysis = m.analysis), 'no 1979Q4 value held') || '.'
            ELSE 'From ' || round(m.from_v, 1) || ' to ' || round(m.to_v, 1)
                 || CASE m.pos WHEN 1 THEN ' (2017 = 100); about a third of the published decline comes from how self-employment income is imputed (Elsby, Hobijn and Sahin 2013)'
                               WHEN 2 THEN ' percent of net value added (employees only, no self-employment imputation)'
                               ELSE ' percent of GDP' END
                 || CASE WHEN m.mixed THEN '; profits and GDP come from different releases (vintages mixed: ' || m.releases || ')' ELSE '' END
                 || '.'
       END AS detail
FROM metrics m CROSS JOIN claim c
ORDER BY m.pos;
