-- Metric values of claim C4 (Kalecki's profit equation), one row per metric and specification, for the verdict model and the registry's rules (claim.toml): whether the identity closes (its residual, measurable only on the full path), and how much of profits after tax the private terms (gross private investment - private depreciation - household saving + dividends - statistical discrepancy) carry over the last ten years held: headline from one BEA workbook (marts.kalecki_private; personal saving from another release, labelled), alternatives with total-economy depreciation, without the statistical discrepancy, and the earlier mixed-release FRED figure.
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
CREATE OR REPLACE TABLE marts.claims_c4 AS
WITH k AS (
    SELECT * FROM marts.kalecki
), span AS (
    SELECT min(date) AS first_date, max(date) AS last_date, count(*) AS n FROM k
), recent AS (
    SELECT k.* FROM k, span WHERE k.date > span.last_date - INTERVAL 10 YEAR
), full_path AS (
    SELECT max(abs(identity_residual_pct_gdp)) AS max_resid, count(*) AS n,
           min(date) AS first_date, max(date) AS last_date
    FROM k WHERE path = 'full'
), check_ AS (
    SELECT max(abs(discrepancy_check_pct_gdp)) AS max_check, bool_or(mixed_vintage) AS mixed,
           any_value(releases) AS releases
    FROM k
), shares AS (
    SELECT avg(100 * (net_investment - household_saving + dividends - statistical_discrepancy) / profits_after_tax) AS with_sd,
           avg(100 * (net_investment - household_saving + dividends) / profits_after_tax) AS without_sd,
           avg(100 * government_foreign_saving / profits_after_tax) AS gov_foreign_pct,
           min(date) AS first_date, max(date) AS last_date, any_value(path) AS path, count(*) AS n
    FROM recent
), bea AS (  -- scopes matched: private depreciation, NIPA terms from one workbook
    SELECT k.* FROM marts.kalecki_private k
    WHERE k.date > (SELECT max(date) FROM marts.kalecki_private) - INTERVAL 10 YEAR
), bea_shares AS (
    SELECT avg(private_share_pct) AS private_cfc, avg(private_share_total_cfc_pct) AS total_cfc,
           avg(private_share_no_sd_pct) AS no_sd, avg(government_cfc_pct) AS gov_cfc,
           min(date) AS first_date, max(date) AS last_date, count(*) AS n, any_value(releases) AS releases
    FROM bea
), share_rows AS (
    SELECT 'c4_private_share' AS metric_id, s.spec AS specification, s.choice,
           s.choice = 'headline' AS headline, s.value AS measured,
           strftime(b.first_date, '%Y') || 'Q' || quarter(b.first_date) || '-' || strftime(b.last_date, '%Y') || 'Q' || quarter(b.last_date) AS period,
           'Over ' || strftime(b.first_date, '%Y') || '-' || strftime(b.last_date, '%Y') || ' the private terms (' || s.spec || ') carry '
               || printf('%.1f', s.value) || '% of profits after tax (mean of quarterly ratios); government depreciation alone is '
               || printf('%.1f', b.gov_cfc) || '% of profits after tax; releases: ' || b.releases
               || ' (personal saving is not in the Section 1 workbook, so that term comes from another release).' AS detail
    FROM bea_shares b,
         LATERAL (VALUES ('headline', 'private depreciation, with the statistical discrepancy, one BEA workbook', b.private_cfc),
                         ('depreciation scope', 'total-economy depreciation (government and housing included), one BEA workbook', b.total_cfc),
                         ('statistical discrepancy', 'private depreciation, without the statistical discrepancy', b.no_sd)) AS s(choice, spec, value)
    WHERE b.n > 0
    UNION ALL  -- the earlier figure: FRED series of several releases, total-economy depreciation
    SELECT 'c4_private_share', s.spec, s.choice, s.choice = 'headline' AND (SELECT n FROM bea_shares) = 0, s.value,
           strftime(p.first_date, '%Y') || 'Q' || quarter(p.first_date) || '-' || strftime(p.last_date, '%Y') || 'Q' || quarter(p.last_date),
           'Over ' || strftime(p.first_date, '%Y') || '-' || strftime(p.last_date, '%Y') || ' the private terms (' || s.spec || ') carry '
               || printf('%.1f', s.value) || '% of profits after tax; government + foreign saving ('
               || CASE p.path WHEN 'full' THEN 'measured' ELSE 'the remainder, which also nets out government investment' END
               || ') carry ' || printf('%.0f', -p.gov_foreign_pct) || '%'
               || CASE WHEN c.mixed THEN '; inputs from different releases (vintages mixed)' ELSE '' END || '.'
    FROM shares p CROSS JOIN check_ c,
         LATERAL (VALUES (CASE WHEN (SELECT n FROM bea_shares) = 0 THEN 'headline' ELSE 'vintage and depreciation scope' END,
                          'FRED series of several releases, total-economy depreciation, with the statistical discrepancy', p.with_sd)) AS s(choice, spec, value)
    WHERE p.n > 0
), residual_row AS (
    SELECT 'c4_identity_residual' AS metric_id, 'full path (every term measured)' AS specification, 'headline' AS choice, true AS headline,
           f.max_resid AS measured,
           strftime(sp.first_date, '%Y') || '-' || strftime(sp.last_date, '%Y') AS period,
           CASE WHEN f.n > 0 THEN 'Every term measured: the identity misses by at most ' || round(f.max_resid, 2) || '% of GDP'
                ELSE 'Government and foreign saving are not held separately (' || coalesce(
                    (SELECT replace(missing_series, ',', ', ') FROM marts.availability_c3_c5 WHERE analysis = 'kalecki_full'), 'series missing')
                    || ' not held), so the identity was closed with their sum as the remainder' END
               || coalesce('; the input check GDP - GDI - statistical discrepancy reaches ' || printf('%.2f', c.max_check) || '% of GDP', '')
               || CASE WHEN c.mixed THEN '; its inputs come from ' || (length(c.releases) - length(replace(c.releases, ' | ', ''))) // 3 + 1
                                         || ' different releases (vintages mixed)' ELSE '' END
               || '.' AS detail
    FROM full_path f CROSS JOIN check_ c CROSS JOIN span sp
), rows AS (
    SELECT * FROM share_rows UNION ALL SELECT * FROM residual_row
), missing AS (
    SELECT 'c4_private_share', 'private depreciation, with the statistical discrepancy, one BEA workbook', 'headline', true,
           NULL::DOUBLE, NULL, NULL
    WHERE NOT EXISTS (SELECT 1 FROM share_rows)
)
SELECT 'C4' AS claim_id, metric_id, specification, choice, headline, measured,
       NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, period, detail,
       (SELECT n FROM span) > 0 OR measured IS NOT NULL AS available,
       CASE WHEN (SELECT n FROM span) = 0 AND measured IS NULL THEN coalesce(
                (SELECT reason FROM marts.availability_c3_c5 WHERE analysis = 'kalecki_remainder' AND NOT available), 'the series of the identity are not held')
            WHEN measured IS NULL AND metric_id = 'c4_identity_residual'
                THEN 'the identity was closed with government + foreign saving as the remainder, so its residual is zero by construction and tests nothing'
       END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing);
