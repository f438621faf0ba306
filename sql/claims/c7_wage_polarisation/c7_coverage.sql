-- What the C7 quantiles leave out, per window, linking rule and ranking wage: the base-year employment of detailed occupations that could not be linked to the end year, that were linked but have no wage to rank by, and the end-year employment not linked back to any base occupation, each as a share of the year's all-occupations total. Reported beside every verdict: never dropped silently.
-- column base_year: Year occupations are ranked in
-- column end_year: Last year of the window
-- column link_rule: title (default) or crosswalk (labelled alternative)
-- column ranking: mean or median base-year hourly wage
-- column base_occupations: Detailed occupations in the base year
-- column unlinked_occupations: Base-year detailed occupations with no link to the end year
-- column unlinked_base_share: Base-year employment of unlinked occupations / all-occupations employment
-- column unranked_base_share: Base-year employment linked but without the ranking wage / all-occupations employment
-- column end_not_linked_share: End-year employment of detailed occupations no base occupation links to / all-occupations employment
-- column largest_unlinked: The five largest unlinked base-year occupations by employment, code and title
CREATE OR REPLACE TABLE marts.c7_coverage AS
WITH rules AS (
    SELECT DISTINCT base_year, end_year, link_rule FROM marts.c7_links
), rk AS (
    SELECT r.*, k.ranking FROM rules r, (VALUES ('mean'), ('median')) k(ranking)
), totals AS (
    SELECT year, emp AS total_emp FROM marts.c7_occupations WHERE is_total
), base AS (
    SELECT r.base_year, r.link_rule, r.ranking, o.soc, o.title, o.emp,
           CASE r.ranking WHEN 'mean' THEN o.wage_mean_rank ELSE o.wage_median_rank END AS wage,
           EXISTS (SELECT 1 FROM marts.c7_links l WHERE l.base_year = r.base_year AND l.link_rule = r.link_rule
                   AND l.base_code = o.soc AND l.how <> 'unlinked') AS linked
    FROM rk r JOIN marts.c7_occupations o ON o.year = r.base_year AND NOT o.is_total
), ends AS (
    SELECT r.base_year, r.link_rule, sum(o.emp) FILTER (WHERE NOT EXISTS (
               SELECT 1 FROM marts.c7_links l WHERE l.base_year = r.base_year AND l.link_rule = r.link_rule
               AND l.end_code = o.soc)) AS emp
    FROM rules r JOIN marts.c7_occupations o ON o.year = r.end_year AND NOT o.is_total
    GROUP BY ALL
), agg AS (
    SELECT base_year, link_rule, ranking, count(*) AS base_occupations,
           count(*) FILTER (WHERE NOT linked) AS unlinked_occupations,
           coalesce(sum(emp) FILTER (WHERE NOT linked), 0) AS unlinked_emp,
           coalesce(sum(emp) FILTER (WHERE linked AND wage IS NULL), 0) AS unranked_emp,
           string_agg(soc || ' ' || title, '; ' ORDER BY emp DESC) FILTER (WHERE NOT linked) AS unlinked_list
    FROM base GROUP BY ALL
)
SELECT r.base_year, r.end_year, r.link_rule, r.ranking, a.base_occupations, a.unlinked_occupations,
       a.unlinked_emp / tb.total_emp AS unlinked_base_share,
       a.unranked_emp / tb.total_emp AS unranked_base_share,
       coalesce(e.emp, 0) / te.total_emp AS end_not_linked_share,
       array_to_string(list_slice(string_split(a.unlinked_list, '; '), 1, 5), '; ') AS largest_unlinked
FROM rk r
JOIN agg a USING (base_year, link_rule, ranking)
LEFT JOIN ends e USING (base_year, link_rule)
JOIN totals tb ON tb.year = r.base_year
JOIN totals te ON te.year = r.end_year
ORDER BY r.base_year, r.link_rule, r.ranking;
