-- Metric values of claim C3 (investment rate under neoliberalism), one row per metric and specification, for the verdict model and the registry's rules (claim.toml): each era's trend since 1980 with its 90% HAC interval (the equivalence test's), and the change of trend at the break date, for every investment-rate definition held. Headline definition: pnfi_corporate (PNFI over corporate profits plus corporate CFC, one BEA workbook) when held, else nfc_fa_gross, else pnfi_cprofit (mixed vintages, labelled).
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
CREATE OR REPLACE TABLE marts.claims_c3 AS
WITH headline AS (  -- scopes matched on one vintage first; the mixed-vintage ratios are alternatives
    SELECT coalesce(
        (SELECT 'pnfi_corporate' FROM marts.investment_trends WHERE definition = 'pnfi_corporate' LIMIT 1),
        (SELECT 'nfc_fa_gross' FROM marts.investment_trends WHERE definition = 'nfc_fa_gross' LIMIT 1),
        'pnfi_cprofit') AS definition
), metrics(metric_id, era_prefix) AS (VALUES ('c3_trend_1980_2007', '1980-'), ('c3_trend_2008_latest', '2008-')),
trend_rows AS (
    SELECT m.metric_id, t.definition || ': ' || t.label AS specification,
           CASE WHEN t.definition = h.definition THEN 'headline'
                WHEN t.mixed_vintage THEN 'definition (mixed vintages)' ELSE 'definition' END AS choice,
           t.definition = h.definition AS headline,
           t.slope_pp_per_decade AS measured, t.ci90_low_pp_per_decade AS ci_low, t.ci90_high_pp_per_decade AS ci_high,
           strftime(t.era_start, '%Y') || 'Q' || quarter(t.era_start) || '-' || strftime(t.era_end, '%Y') || 'Q' || quarter(t.era_end) AS period,
           t.label || ': trend ' || round(t.slope_pp_per_decade, 2) || ' pp per decade (90% HAC interval '
               || round(t.ci90_low_pp_per_decade, 2) || ' to ' || round(t.ci90_high_pp_per_decade, 2) || '; 95% '
               || round(t.ci_low_pp_per_decade, 2) || ' to ' || round(t.ci_high_pp_per_decade, 2) || '; '
               || t.hac_lags || ' Newey-West lags, ' || t.n_obs || ' quarters); mean rate ' || round(100 * t.mean_rate, 1) || '%'
               || CASE WHEN t.mixed_vintage THEN '; the ratio mixes series from different releases (vintages mixed)' ELSE '' END
               || '.' AS detail
    FROM marts.investment_trends t JOIN metrics m ON t.era LIKE m.era_prefix || '%' CROSS JOIN headline h
), break_rows AS (
    SELECT 'c3_break_1980' AS metric_id, b.definition AS specification,
           CASE WHEN b.definition = h.definition THEN 'headline' ELSE 'definition' END AS choice,
           b.definition = h.definition AS headline,
           b.slope_after_pp_per_decade - b.slope_before_pp_per_decade AS measured, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high,
           strftime(b.sample_start, '%Y') || '-' || strftime(b.sample_end, '%Y') AS period,
           'Trend ' || round(b.slope_before_pp_per_decade, 1) || ' pp per decade before ' || strftime(b.break_date, '%Y') || 'Q' || quarter(b.break_date)
               || ' and ' || round(b.slope_after_pp_per_decade, 1) || ' after; HAC Wald test of no break ' || round(b.wald_hac, 1)
               || ' (5% critical ' || round(b.critical_5pct, 2) || ', p ' || printf('%.2g', b.p_value_hac) || ').' AS detail
    FROM marts.investment_breaks b CROSS JOIN headline h
    WHERE b.test = 'chow'
), rows AS (
    SELECT * FROM trend_rows UNION ALL SELECT * FROM break_rows
), needed(metric_id) AS (VALUES ('c3_trend_1980_2007'), ('c3_trend_2008_latest'), ('c3_break_1980')),
missing AS (
    SELECT n.metric_id, 'headline definition' AS specification, 'headline' AS choice, true AS headline,
           NULL::DOUBLE AS measured, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, NULL AS period, NULL AS detail
    FROM needed n WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = n.metric_id AND r.headline)
)
SELECT 'C3' AS claim_id, metric_id, specification, choice, headline, measured, ci_low, ci_high, period, detail,
       measured IS NOT NULL AS available,
       CASE WHEN measured IS NULL THEN coalesce(
           (SELECT reason FROM marts.availability_c3_c5 WHERE analysis = 'pnfi_cprofit' AND NOT available),
           'too few quarters of the headline investment rate in this era') END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing);
