-- Metric values of claim C7 (automation hits the middle of the wage ladder), one row per metric and specification, in the registry's contract shape (claim.toml beside this file; the verdict model judges them): the middle quintiles' change in employment share against the weaker tail, and the top quintile's change, for every window (first OEWS year or 2013 to the latest), linking rule (title default; hand crosswalk as a labelled alternative) and ranking wage (mean default; median). Headline: first year to latest, title links, mean wage. The OEWS window predates most AI adoption: these rows test the pattern the claim extrapolates from, not AI's effect.
-- column claim_id: Claim id
-- column metric_id: Metric id (registry)
-- column specification: Readable label of the specification
-- column choice: The measurement choices this specification changes from the headline ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: The figure measured, percentage points (NULL when not available)
-- column ci_low: Lower end of the interval (NULL: none; OEWS national estimates are treated as exact)
-- column ci_high: Upper end of the interval (NULL: none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available
CREATE OR REPLACE TABLE marts.claims_c7 AS
WITH first_year AS (
    SELECT min(base_year) AS y FROM marts.c7_links
), q AS (
    SELECT base_year, end_year, link_rule, ranking,
           max(change_pp) FILTER (WHERE quantile = 1) AS q1,
           max(change_pp) FILTER (WHERE quantile = 2) AS q2,
           max(change_pp) FILTER (WHERE quantile = 3) AS q3,
           max(change_pp) FILTER (WHERE quantile = 4) AS q4,
           max(change_pp) FILTER (WHERE quantile = 5) AS q5
    FROM marts.c7_polarisation WHERE bins = 5 GROUP BY ALL
), spec AS (
    SELECT q.*, c.unlinked_base_share, c.unranked_base_share, c.end_not_linked_share,
           (q.q2 + q.q3 + q.q4) / 3 AS middle,
           q.base_year = f.y AND q.link_rule = 'title' AND q.ranking = 'mean' AS is_headline,
           concat_ws(', ',
               CASE WHEN q.base_year <> f.y THEN 'window' END,
               CASE WHEN q.link_rule <> 'title' THEN 'links' END,
               CASE WHEN q.ranking <> 'mean' THEN 'ranking' END) AS changed,
           q.base_year || '-' || q.end_year
               || CASE q.link_rule WHEN 'title' THEN ', code or identical title links' ELSE ', plus hand SOC crosswalk (alternative)' END
               || ', ranked by ' || q.ranking || ' hourly wage' AS label,
           'Quintile changes Q1..Q5 ' || printf('%+.2f %+.2f %+.2f %+.2f %+.2f', q.q1, q.q2, q.q3, q.q4, q.q5)
               || ' pp of all employment; ' || printf('%.1f', 100 * c.unlinked_base_share) || '% of ' || q.base_year
               || ' employment could not be linked to ' || q.end_year || ' and is outside every quintile'
               || CASE WHEN c.unranked_base_share > 0 THEN ', ' || printf('%.1f', 100 * c.unranked_base_share) || '% has no ' || q.ranking || ' wage to rank by' ELSE '' END
               || '. ' || q.base_year || '-' || q.end_year
               || ' predates most AI adoption: this tests the pattern the claim extrapolates from, not AI''s effect.' AS caveat
    FROM q
    JOIN marts.c7_coverage c USING (base_year, end_year, link_rule, ranking)
    CROSS JOIN first_year f
), rows AS (
    SELECT 'c7_middle_vs_tails' AS metric_id, label AS specification,
           CASE WHEN is_headline THEN 'headline' ELSE changed END AS choice, is_headline AS headline,
           middle - least(q1, q5) AS measured,
           base_year || '-' || end_year AS period,
           'Middle quintiles Q2-Q4 changed ' || printf('%+.2f', middle) || ' pp on average against '
               || printf('%+.2f', q1) || ' (lowest) and ' || printf('%+.2f', q5) || ' (highest): '
               || CASE WHEN middle < least(q1, q5) THEN 'the middle lost share relative to both tails. '
                       ELSE 'the middle did not lose share relative to both tails. ' END || caveat AS detail
    FROM spec
    UNION ALL
    SELECT 'c7_top_quintile', label,
           CASE WHEN is_headline THEN 'headline' ELSE changed END, is_headline,
           q5, base_year || '-' || end_year,
           'The best-paid quintile''s employment share ' || CASE WHEN q5 < 0 THEN 'fell ' ELSE 'rose ' END
               || printf('%+.2f', q5) || ' pp. ' || caveat
    FROM spec
), needed(metric_id) AS (VALUES ('c7_middle_vs_tails'), ('c7_top_quintile')),
missing AS (
    SELECT n.metric_id, 'first OEWS year to latest, code or identical title links, mean wage' AS specification,
           'headline' AS choice, true AS headline, NULL::DOUBLE AS measured, NULL AS period, NULL AS detail
    FROM needed n WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = n.metric_id AND r.headline)
)
SELECT 'C7' AS claim_id, metric_id, specification, choice, headline, measured,
       NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, period, detail,
       measured IS NOT NULL AS available,
       CASE WHEN measured IS NULL THEN 'fewer than two OEWS national workbooks held (OEWS_NATIONAL)' END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing)
ORDER BY metric_id, NOT headline, specification;
