-- Metric values of claim C6 (automation pushes work into services), one row per metric and specification, in the registry's contract shape (claim.toml beside this file): the change of the service-providing share of payrolls since 1979, its era trends since 1980 with HAC intervals (the break near 1980 in the detail), and the OEWS employment share and relative wage of personal care and service plus healthcare support occupations (31+39 combined: comparable across the SOC 2018 move of personal care aides).
-- column claim_id: Claim id
-- column metric_id: Metric id (registry)
-- column specification: Readable label of the specification
-- column choice: The measurement choice this specification changes from the headline ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: The figure measured (NULL when not available)
-- column ci_low: Lower end of the 95% interval (NULL: none)
-- column ci_high: Upper end of the 95% interval (NULL: none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available
CREATE OR REPLACE TABLE marts.claims_c6 AS
WITH s AS (SELECT * FROM marts.c6_payroll_shares),
base AS (SELECT * FROM s WHERE year = 1979),
last AS (SELECT * FROM s ORDER BY year DESC LIMIT 1),
share_rows AS (
    SELECT 'c6_service_share_change' AS metric_id, 'service-providing share (SRVPRD / PAYEMS)' AS specification,
           'headline' AS choice, true AS headline, l.services_pct - b.services_pct AS measured,
           NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, '1979-' || l.year AS period,
           'The service-providing share of payrolls rose from ' || printf('%.2f', b.services_pct) || '% in 1979 to '
               || printf('%.2f', l.services_pct) || '% in ' || l.year || '; manufacturing fell from '
               || printf('%.2f', b.manufacturing_pct) || '% to ' || printf('%.2f', l.manufacturing_pct) || '%.' AS detail
    FROM base b, last l
    UNION ALL
    SELECT 'c6_service_share_change', 'goods-producing share, sign reversed (-(USGOOD / PAYEMS))', 'measure', false,
           -(l.goods_pct - b.goods_pct), NULL, NULL, '1979-' || l.year,
           'The goods-producing share fell from ' || printf('%.2f', b.goods_pct) || '% to ' || printf('%.2f', l.goods_pct) || '%.'
    FROM base b, last l WHERE l.goods_pct IS NOT NULL AND b.goods_pct IS NOT NULL
), breaks AS (
    SELECT string_agg(CASE test WHEN 'chow' THEN 'HAC Wald of a shift at ' || break_year || ': ' || printf('%.1f', wald_hac)
                                 || ' (5% critical ' || printf('%.2f', critical_5pct) || ')'
                                ELSE 'largest over 1975-1985: ' || printf('%.1f', wald_hac) || ' at ' || break_year
                                 || ' (Andrews 5% critical ' || printf('%.2f', critical_5pct) || ')' END, '; ' ORDER BY test) AS text
    FROM marts.c6_trends WHERE measure = 'services_pct' AND test <> 'era'
), trend_rows AS (
    SELECT CASE WHEN t.first_year >= 2008 THEN 'c6_services_trend_2008_latest' ELSE 'c6_services_trend_1980_2007' END AS metric_id,
           'service-providing share, annual, OLS on the year' AS specification, 'headline' AS choice, true AS headline,
           t.slope_pp_per_decade AS measured, t.ci_low, t.ci_high, t.first_year || '-' || t.last_year AS period,
           'Trend ' || printf('%+.2f', t.slope_pp_per_decade) || ' pp per decade (95% HAC interval ' || printf('%+.2f', t.ci_low)
               || ' to ' || printf('%+.2f', t.ci_high) || ', ' || t.n_obs || ' years; 1959-1979: '
               || (SELECT printf('%+.2f', slope_pp_per_decade) FROM marts.c6_trends WHERE measure = 'services_pct' AND test = 'era' AND last_year < 1980 LIMIT 1)
               || '). The shift into services slowed after 2008, not at 1980'
               || coalesce(' (' || (SELECT text FROM breaks) || '; the shares are very persistent, so read the tests as descriptive)', '') || '.' AS detail
    FROM marts.c6_trends t
    WHERE t.measure = 'services_pct' AND t.test = 'era' AND t.first_year >= 1980
), oews AS (
    SELECT * FROM marts.c6_oews_groups WHERE soc_group = '31+39'
), ofirst AS (SELECT * FROM oews ORDER BY year LIMIT 1),
olast AS (SELECT * FROM oews ORDER BY year DESC LIMIT 1),
oews_rows AS (
    SELECT 'c6_care_share_change' AS metric_id, 'SOC 31 + 39 combined, share of all OEWS employment' AS specification,
           'headline' AS choice, true AS headline, l.emp_share_pct - f.emp_share_pct AS measured, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high,
           f.year || '-' || l.year AS period,
           'Personal care and service plus healthcare support occupations held ' || printf('%.2f', f.emp_share_pct) || '% of employment in '
               || f.year || ' and ' || printf('%.2f', l.emp_share_pct) || '% in ' || l.year
               || ' (combined: SOC 2018 moved personal care aides from 39 to 31; OEWS excludes the self-employed).' AS detail
    FROM ofirst f, olast l WHERE f.year < l.year
    UNION ALL
    SELECT 'c6_care_relative_wage_change', 'SOC 31 + 39 combined mean hourly wage / all occupations', 'headline', true,
           l.rel_wage - f.rel_wage, NULL, NULL, f.year || '-' || l.year,
           'Their mean hourly wage was ' || printf('%.3f', f.rel_wage) || ' of the all-occupations mean in ' || f.year || ' and '
               || printf('%.3f', l.rel_wage) || ' in ' || l.year || ': more of the work, not relatively better paid.'
    FROM ofirst f, olast l WHERE f.year < l.year
), rows AS (
    SELECT * FROM share_rows UNION ALL SELECT * FROM trend_rows UNION ALL SELECT * FROM oews_rows
), needed(metric_id, reason) AS (VALUES
    ('c6_service_share_change', 'FRED-MD payrolls (FREDMD_PAYEMS, FREDMD_SRVPRD) for 1979 and a later complete year are not held'),
    ('c6_services_trend_1980_2007', 'FRED-MD payrolls (FREDMD_PAYEMS, FREDMD_SRVPRD) are not held'),
    ('c6_services_trend_2008_latest', 'FRED-MD payrolls (FREDMD_PAYEMS, FREDMD_SRVPRD) are not held'),
    ('c6_care_share_change', 'fewer than two OEWS national workbooks held (OEWS_NATIONAL)'),
    ('c6_care_relative_wage_change', 'fewer than two OEWS national workbooks held (OEWS_NATIONAL)')
), missing AS (
    SELECT n.metric_id, 'headline' AS specification, 'headline' AS choice, true AS headline, NULL::DOUBLE AS measured,
           NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, NULL AS period, NULL AS detail
    FROM needed n WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = n.metric_id AND r.headline)
)
SELECT 'C6' AS claim_id, r.metric_id, r.specification, r.choice, r.headline, r.measured, r.ci_low, r.ci_high, r.period, r.detail,
       r.measured IS NOT NULL AS available,
       CASE WHEN r.measured IS NULL THEN n.reason END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing) r
JOIN needed n USING (metric_id)
ORDER BY r.metric_id, NOT r.headline;
