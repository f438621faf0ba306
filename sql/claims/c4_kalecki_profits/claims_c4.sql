-- Scorecard rows for claim C4 (Kalecki's profit equation): whether the identity closes (its residual, measurable only when government and foreign saving are held separately), and how much of profits after tax the private terms alone (net investment - household saving + dividends - statistical discrepancy) account for over the last ten years held, the rest being government + foreign saving.
-- column claim_id: Claim id as in docs/CLAIMS.md
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states (NULL: the claim states none)
-- column measured: The figure computed from the data
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
CREATE OR REPLACE TABLE marts.claims_c4 AS
WITH claim AS (
    SELECT 'Profits equal investment plus capitalists'' consumption (Kalecki): profits after tax = investment - household saving - government saving - foreign saving + dividends.' AS claim
), k AS (
    SELECT * FROM marts.kalecki
), span AS (
    SELECT min(date) AS first_date, max(date) AS last_date FROM k
), recent AS (
    SELECT k.* FROM k, span WHERE k.date > span.last_date - INTERVAL 10 YEAR
), full_path AS (
    SELECT max(abs(identity_residual_pct_gdp)) AS max_resid, count(*) AS n,
           min(date) AS first_date, max(date) AS last_date
    FROM k WHERE path = 'full'
), check_ AS (
    SELECT max(abs(discrepancy_check_pct_gdp)) AS max_check,
           max(abs(discrepancy_check)) AS max_check_bn,
           arg_max(date, abs(discrepancy_check_pct_gdp)) AS worst_date,
           bool_or(mixed_vintage) AS mixed, any_value(releases) AS releases
    FROM k
), private_share AS (
    SELECT avg(100 * (net_investment - household_saving + dividends - statistical_discrepancy)
               / profits_after_tax) AS pct,
           avg(100 * government_foreign_saving / profits_after_tax) AS gov_foreign_pct,
           min(date) AS first_date, max(date) AS last_date, any_value(path) AS path
    FROM recent
)
SELECT 'C4' AS claim_id, c.claim,
       'identity residual, largest absolute value (% of GDP)' AS metric,
       0.0 AS claimed, f.max_resid AS measured, 'percent of GDP' AS unit,
       CASE WHEN f.n > 0 THEN strftime(f.first_date, '%Y') || '-' || strftime(f.last_date, '%Y')
            ELSE (SELECT strftime(first_date, '%Y') || '-' || strftime(last_date, '%Y') FROM span) END AS period,
       CASE WHEN f.n = 0 OR f.n IS NULL THEN 'not available'
            WHEN f.max_resid < 0.5 THEN 'supported' ELSE 'not supported' END AS verdict,
       CASE WHEN f.n > 0
            THEN 'Every term measured (path full): the identity misses by at most ' || round(f.max_resid, 2) || '% of GDP'
            ELSE 'Not available: ' || coalesce((SELECT replace(missing_series, ',', ', ') || ' not held ('
                                                       || (SELECT m.reason FROM meta.availability m
                                                           WHERE m.series_id = split_part(a.missing_series, ',', 1)) || ')'
                                                FROM marts.availability_c3_c5 a WHERE a.analysis = 'kalecki_full'), 'series missing')
                 || '; the identity was closed with government + foreign saving as the remainder (path remainder), so its residual cannot be measured'
       END
       || coalesce('; input vintage check GDP - GDI - statistical discrepancy reaches ' || printf('%.2f', ch.max_check)
                   || '% of GDP (' || printf('%.3f', ch.max_check_bn) || ' billion dollars, '
                   || strftime(ch.worst_date, '%Y') || 'Q' || quarter(ch.worst_date) || ')', '')
       || CASE WHEN ch.mixed THEN '; its inputs come from ' || (length(ch.releases) - length(replace(ch.releases, ' | ', '')) ) // 3 + 1
                                  || ' different releases (vintages mixed)' ELSE '' END
       || '.' AS detail
FROM claim c CROSS JOIN full_path f CROSS JOIN check_ ch
UNION ALL
SELECT 'C4', c.claim,
       'profits after tax accounted for by net investment - household saving + dividends (mean, % of profits)',
       100.0, p.pct, 'percent',
       strftime(p.first_date, '%Y') || 'Q' || quarter(p.first_date) || '-' || strftime(p.last_date, '%Y') || 'Q' || quarter(p.last_date),
       CASE WHEN p.pct IS NULL THEN 'not available'
            WHEN abs(p.pct - 100) <= 15 THEN 'supported'
            ELSE 'partly supported' END,
       CASE WHEN p.pct IS NULL THEN 'Not available: ' || coalesce(
                (SELECT reason FROM marts.availability_c3_c5 WHERE analysis = 'kalecki_remainder'), 'series missing') || '.'
            ELSE 'Over the last ten years held the private terms account for ' || printf('%.0f', p.pct)
                 || '% of profits after tax and the government + foreign saving term ('
                 || CASE p.path WHEN 'full' THEN 'measured' ELSE 'the remainder, which also nets out government investment' END
                 || ') for '
                 || printf('%.0f', -p.gov_foreign_pct) || '%'
                 || CASE WHEN -p.gov_foreign_pct > 15 THEN ': the identity holds as accounting, but profits lean on government and foreign dissaving, not only on investment and capitalist consumption.'
                         WHEN -p.gov_foreign_pct < -15 THEN ': government and foreign saving subtract from profits; investment and dividends carry them.'
                         ELSE ': investment less household saving plus dividends carries profits, as the claim says.' END
       END
FROM claim c CROSS JOIN private_share p;
