-- Metric values of claim C5's asset half, one row per metric and specification, in the registry's contract shape: household net worth relative to disposable income and nonfinancial corporate net worth at market value relative to GDP, change from 1979Q1 (or the first quarter held) to the latest quarter, with the labor-share path over the same window in the detail.
-- column claim_id: Claim id
-- column metric_id: Metric id (registry)
-- column specification: Readable label of the specification
-- column choice: The measurement choice this specification changes from the headline ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: Change in percentage points of income or GDP (NULL when not available)
-- column ci_low: Lower end of the interval (NULL: none)
-- column ci_high: Upper end of the interval (NULL: none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available
CREATE OR REPLACE TABLE marts.claims_c5_assets AS
WITH a AS (SELECT * FROM marts.asset_values WHERE date >= DATE '1979-01-01'),
hh AS (SELECT date, hh_nw_dpi_pct AS v, nwpix_pct AS v2 FROM a WHERE hh_nw_dpi_pct IS NOT NULL),
nfc AS (SELECT date, nfc_nw_gdp_pct AS v FROM a WHERE nfc_nw_gdp_pct IS NOT NULL),
ends AS (
    SELECT 'hh' AS k, arg_min(v, date) AS v0, arg_max(v, date) AS v1, arg_min(v2, date) AS w0, arg_max(v2, date) AS w1,
           min(date) AS d0, max(date) AS d1 FROM hh
    UNION ALL
    SELECT 'nfc', arg_min(v, date), arg_max(v, date), NULL, NULL, min(date), max(date) FROM nfc
), ls AS (
    -- The labor-share path over the same window (BLS nonfarm business index), for the detail.
    SELECT e.k, 100 * (arg_max(l.nfb_labor_share_idx, l.date) / arg_min(l.nfb_labor_share_idx, l.date) - 1) AS ls_change
    FROM ends e JOIN marts.labor_share l ON l.date BETWEEN e.d0 AND e.d1 AND l.nfb_labor_share_idx IS NOT NULL
    GROUP BY e.k
), q AS (
    SELECT e.*, ls.ls_change,
           strftime(e.d0, '%Y') || 'Q' || quarter(e.d0) || '-' || strftime(e.d1, '%Y') || 'Q' || quarter(e.d1) AS period,
           coalesce(' Over the same quarters the nonfarm business labor share changed ' || printf('%+.1f', ls.ls_change) || '%.', '') AS ls_text
    FROM ends e LEFT JOIN ls USING (k) WHERE e.d0 IS NOT NULL
), rows AS (
    SELECT 'c5_household_net_worth_income' AS metric_id, 'nominal net worth / nominal disposable income (each with its own deflator)' AS specification,
           'headline' AS choice, true AS headline, v1 - v0 AS measured, period,
           'Household net worth rose from ' || printf('%.1f', v0) || '% to ' || printf('%.1f', v1) || '% of disposable personal income.' || ls_text AS detail
    FROM q WHERE k = 'hh'
    UNION ALL
    SELECT 'c5_household_net_worth_income', 'FRED-QD NWPIx (real net worth over real income, mixed deflators; variant)', 'deflator', false,
           w1 - w0, period,
           'FRED-QD''s NWPIx divides net worth deflated by core PCE by income deflated by PCE: ' || printf('%.1f', w0) || '% to ' || printf('%.1f', w1) || '%.'
    FROM q WHERE k = 'hh' AND w0 IS NOT NULL AND w1 IS NOT NULL
    UNION ALL
    SELECT 'c5_corporate_net_worth_gdp', 'nonfinancial corporate net worth at market value / nominal GDP', 'headline', true,
           v1 - v0, period,
           'Nonfinancial corporate net worth at market value (net worth, not equity: FRED-QD carries no equity market value) went from '
               || printf('%.1f', v0) || '% to ' || printf('%.1f', v1) || '% of GDP.' || ls_text
    FROM q WHERE k = 'nfc'
), needed(metric_id) AS (VALUES ('c5_household_net_worth_income'), ('c5_corporate_net_worth_gdp')),
missing AS (
    SELECT n.metric_id, 'headline' AS specification, 'headline' AS choice, true AS headline, NULL::DOUBLE AS measured, NULL AS period, NULL AS detail
    FROM needed n WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = n.metric_id AND r.headline)
)
SELECT 'C5' AS claim_id, metric_id, specification, choice, headline, measured, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high,
       period, detail, measured IS NOT NULL AS available,
       CASE WHEN measured IS NULL THEN 'the FRED-QD Financial Accounts and income columns (FREDQD_TNWBSHNOx, FREDQD_DPIC96, FREDQD_TNWMVBSNNCBx, FREDQD_GDPC1 and their deflators) are not held' END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing)
ORDER BY metric_id, NOT headline;
