-- Scorecard rows for claim C3 (investment rate under neoliberalism): the trend of the headline investment-rate definition in each era from 1980 on (HAC 95% interval; partly supported when the headline does not rise but another definition does), and the break test at the configured date. Headline: the Financial Accounts definition (nfc_fa_gross) when held, else PNFI / (CPROFIT + COFC).
-- column claim_id: Claim id as in docs/CLAIMS.md
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states (NULL: the claim states none)
-- column measured: The figure computed from the data
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
CREATE OR REPLACE TABLE marts.claims_c3 AS
WITH headline AS (
    SELECT coalesce(
        (SELECT 'nfc_fa_gross' FROM marts.investment_trends WHERE definition = 'nfc_fa_gross' LIMIT 1),
        'pnfi_cprofit') AS definition
), claim AS (
    SELECT 'The US has kept investment rates (gross investment / gross profit) from rising since about 1980.' AS claim
), eras AS (
    SELECT t.* FROM marts.investment_trends t JOIN headline h USING (definition)
    WHERE t.era_start >= DATE '1980-01-01'
), trend_rows AS (
    SELECT 'C3' AS claim_id, c.claim,
           'investment-rate trend ' || e.era || ' (' || e.definition || ')' AS metric,
           NULL::DOUBLE AS claimed, e.slope_pp_per_decade AS measured,
           'pp per decade' AS unit,
           strftime(e.era_start, '%Y') || 'Q' || quarter(e.era_start) || '-' || strftime(e.era_end, '%Y') || 'Q' || quarter(e.era_end) AS period,
           CASE WHEN e.trend = 'rising' THEN 'not supported'
                WHEN o.n_rising > 0 THEN 'partly supported'
                ELSE 'supported' END AS verdict,
           e.label || ': trend ' || round(e.slope_pp_per_decade, 1) || ' pp per decade (95% HAC interval '
               || round(e.ci_low_pp_per_decade, 1) || ' to ' || round(e.ci_high_pp_per_decade, 1)
               || '), ' || e.trend || '; mean rate ' || round(100 * e.mean_rate, 1) || '%'
               || CASE WHEN e.mixed_vintage THEN '; ratio of series from different releases (vintages mixed)' ELSE '' END
               || '; across all ' || o.n_defs || ' definitions in this era: ' || o.n_rising || ' rising, '
               || o.n_falling || ' falling, ' || (o.n_defs - o.n_rising - o.n_falling) || ' flat.' AS detail
    FROM eras e CROSS JOIN claim c
    JOIN (SELECT era, count(*) AS n_defs, count(*) FILTER (WHERE trend = 'rising') AS n_rising,
                 count(*) FILTER (WHERE trend = 'falling') AS n_falling
          FROM marts.investment_trends GROUP BY era) o USING (era)
), break_row AS (
    SELECT 'C3' AS claim_id, c.claim,
           'break in level and trend at ' || strftime(b.break_date, '%Y') || 'Q' || quarter(b.break_date) || ' (' || b.definition || ', Chow, HAC Wald)' AS metric,
           NULL::DOUBLE AS claimed, b.wald_hac AS measured, 'Wald statistic' AS unit,
           strftime(b.sample_start, '%Y') || '-' || strftime(b.sample_end, '%Y') AS period,
           CASE WHEN b.p_value_hac < 0.05 AND b.slope_after_pp_per_decade < b.slope_before_pp_per_decade
                    AND b.slope_after_pp_per_decade <= 0 THEN 'supported'
                WHEN b.p_value_hac < 0.05 THEN 'partly supported'
                ELSE 'not supported' END AS verdict,
           'Trend ' || round(b.slope_before_pp_per_decade, 1) || ' pp per decade before and '
               || round(b.slope_after_pp_per_decade, 1) || ' after; HAC Wald ' || round(b.wald_hac, 1)
               || ' (5% critical ' || round(b.critical_5pct, 2) || ', p ' || printf('%.2g', b.p_value_hac)
               || '); the unknown-date search puts the largest break at '
               || coalesce((SELECT strftime(s.break_date, '%Y') || 'Q' || quarter(s.break_date)
                            FROM marts.investment_breaks s
                            WHERE s.definition = b.definition AND s.test = 'sup_wald'), 'n/a')
               || '.' AS detail
    FROM marts.investment_breaks b JOIN headline h USING (definition) CROSS JOIN claim c
    WHERE b.test = 'chow'
), missing AS (
    SELECT 'C3' AS claim_id, c.claim, 'investment-rate trend since 1980' AS metric,
           NULL::DOUBLE AS claimed, NULL::DOUBLE AS measured, 'pp per decade' AS unit,
           NULL AS period, 'not available' AS verdict,
           'Not available: ' || coalesce(
               (SELECT reason FROM marts.availability_c3_c5 WHERE analysis = 'pnfi_cprofit'),
               'no investment-rate series held') || '.' AS detail
    FROM claim c
    WHERE NOT EXISTS (SELECT 1 FROM trend_rows)
)
SELECT * FROM trend_rows
UNION ALL SELECT * FROM break_row
UNION ALL SELECT * FROM missing;
