-- Metric values of claim C5 (gains went to margins, not households), one row per metric and specification, for the verdict model and the registry's rules (claim.toml): the labor share's change since 1979Q4 in points of level (nonfarm business put in levels with BLS's published 63.9% in 2000Q1; nonfinancial corporate from NIPA), the profit share's change in points, and the share of productivity growth since 1979Q4 that the labor-share fall accounts for.
-- column claim_id: Claim id
-- column metric_id: Metric id (registry)
-- column specification: Readable label of the specification
-- column choice: The measurement choice this specification changes from the headline ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: The figure measured (NULL when not available)
-- column ci_low: Lower end of the interval (NULL: none)
-- column ci_high: Upper end of the interval (NULL: none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available or not testable
CREATE OR REPLACE TABLE marts.claims_c5 AS
WITH ls AS (
    SELECT l.*, p.ophnfb, p.nfc_productivity,
           -- BLS publishes the nonfarm business labor share as an index; its level was 63.9% in 2000Q1.
           63.9 * l.nfb_labor_share_idx / (SELECT nfb_labor_share_idx FROM marts.labor_share WHERE date = DATE '2000-01-01') AS nfb_level
    FROM marts.labor_share l
    LEFT JOIN (SELECT date, max(value) FILTER (WHERE series_id = 'OPHNFB') AS ophnfb,
                      max(value) FILTER (WHERE series_id = 'PRS88003093') AS nfc_productivity
               FROM staging.quarterly WHERE series_id IN ('OPHNFB', 'PRS88003093') GROUP BY date) p USING (date)
), long AS (
    SELECT date, m.*
    FROM ls, LATERAL (VALUES
        ('c5_labor_share_change', 'nonfarm business, BLS (level from the 2017=100 index, 63.9% in 2000Q1)', 'headline', nfb_level, NULL::DOUBLE),
        ('c5_labor_share_change', 'nonfinancial corporate, NIPA compensation / net value added (employees only)', 'labor-share measure', nfc_labor_share_pct, NULL),
        ('c5_profit_share_change', 'corporate profits with IVA and CCAdj / GDP', 'headline', cprofit_gdp_pct, NULL),
        ('c5_profit_share_change', 'corporate profits after tax, book (CP) / GDP', 'profit measure', cp_gdp_pct, NULL),
        ('c5_profit_share_change', 'nonfinancial corporate profits / net value added (NIPA)', 'profit measure', nfc_profit_share_pct, NULL),
        ('c5_share_of_productivity', 'nonfarm business (BLS labor share index and output per hour)', 'headline', nfb_labor_share_idx, ophnfb),
        ('c5_share_of_productivity', 'nonfinancial corporations (BLS labor share index and output per hour)', 'labor-share measure', nfc_labor_share_idx, nfc_productivity)
    ) AS m(metric_id, specification, choice, v, productivity)
    WHERE v IS NOT NULL AND (m.metric_id <> 'c5_share_of_productivity' OR productivity IS NOT NULL)
), ends AS (
    SELECT metric_id, specification, any_value(choice) AS choice,
           max(v) FILTER (WHERE date = DATE '1979-10-01') AS v0, arg_max(v, date) AS v1,
           max(productivity) FILTER (WHERE date = DATE '1979-10-01') AS p0, arg_max(productivity, date) AS p1,
           max(date) AS last_date
    FROM long GROUP BY metric_id, specification
), rows AS (
    SELECT metric_id, specification, choice, choice = 'headline' AS headline,
           CASE WHEN metric_id = 'c5_share_of_productivity' THEN 100 * -ln(v1 / v0) / nullif(ln(p1 / p0), 0)
                ELSE v1 - v0 END AS measured,
           '1979Q4-' || strftime(last_date, '%Y') || 'Q' || quarter(last_date) AS period,
           CASE WHEN metric_id = 'c5_share_of_productivity'
                THEN 'Output per hour grew ' || round(100 * (p1 / p0 - 1), 1) || '% and the labor share changed '
                     || round(100 * (v1 / v0 - 1), 1) || '% (' || specification || '): the fall accounts for '
                     || round(100 * -ln(v1 / v0) / nullif(ln(p1 / p0), 0), 1) || '% of productivity growth in logs; the rest reached mean compensation.'
                ELSE 'From ' || round(v0, 1) || '% to ' || round(v1, 1) || '% (' || specification || '): '
                     || round(v1 - v0, 1) || ' points'
                     || CASE WHEN metric_id = 'c5_labor_share_change' AND choice = 'headline'
                             THEN '; about a third of the published decline comes from how self-employment income is imputed (Elsby, Hobijn and Sahin 2013)' ELSE '' END
                     || '.' END AS detail
    FROM ends WHERE v0 IS NOT NULL
), needed(metric_id) AS (VALUES ('c5_labor_share_change'), ('c5_profit_share_change'), ('c5_share_of_productivity')),
missing AS (
    SELECT n.metric_id, 'headline measure' AS specification, 'headline' AS choice, true AS headline,
           NULL::DOUBLE AS measured, NULL AS period, NULL AS detail
    FROM needed n WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = n.metric_id AND r.headline)
)
SELECT 'C5' AS claim_id, metric_id, specification, choice, headline, measured,
       NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, period, detail,
       measured IS NOT NULL AS available,
       CASE WHEN measured IS NULL THEN coalesce(
           (SELECT reason FROM marts.availability_c3_c5 WHERE analysis = 'nfb_labor_share' AND NOT available),
           'no 1979Q4 value of the headline measure is held') END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing);
