-- Job polarisation (C7): change in employment share by base-year wage quantile, per window, linking rule, ranking wage and number of quantiles (5 quintiles, 10 deciles). Linked units (marts.c7_links) are ranked by the employment-weighted mean of their base-year occupations' wage; cumulative base-year employment is cut into equal parts and a unit goes whole to the part holding the midpoint of its employment. A quantile's share in a year = its units' employment / the all-occupations total (00-0000) of that year, so employment that could not be linked is outside every quantile (see marts.c7_coverage) and the changes sum to minus the change of that unlinked part.
-- column base_year: Year occupations are ranked in (first year of the window)
-- column end_year: Last year of the window
-- column link_rule: title (default: code, else identical title) or crosswalk (labelled alternative)
-- column ranking: mean (H_MEAN, or A_MEAN / 2080 where only annual) or median (H_MEDIAN) base-year hourly wage
-- column bins: Number of quantiles (5 or 10)
-- column quantile: Quantile, 1 = lowest paid
-- column units: Linked units in the quantile
-- column wage_low: Lowest unit wage in the quantile, dollars per hour (base year)
-- column wage_high: Highest unit wage in the quantile, dollars per hour (base year; 1e9 = top-coded median)
-- column base_emp: Base-year employment of the quantile's units
-- column end_emp: End-year employment of the quantile's units
-- column base_share: base_emp / all-occupations employment of the base year
-- column end_share: end_emp / all-occupations employment of the end year
-- column change_pp: Change in employment share, percentage points (end_share - base_share)
-- column change_pp_within_linked: Change in the share of linked and ranked employment only (sums to zero over the quantiles), percentage points
-- column percentile_mid: Midpoint of the quantile on the base-year employment scale, percent (for the chart's x axis)
CREATE OR REPLACE TABLE marts.c7_polarisation AS
WITH units_links AS (
    SELECT DISTINCT base_year, end_year, link_rule, unit, base_code, end_code
    FROM marts.c7_links WHERE unit IS NOT NULL
), base_occ AS (
    SELECT DISTINCT l.base_year, l.end_year, l.link_rule, l.unit, o.soc, o.emp,
           o.wage_mean_rank, o.wage_median_rank
    FROM units_links l
    JOIN marts.c7_occupations o ON o.year = l.base_year AND o.soc = l.base_code AND NOT o.is_total
), end_occ AS (
    SELECT DISTINCT l.base_year, l.end_year, l.link_rule, l.unit, o.soc, o.emp
    FROM units_links l
    JOIN marts.c7_occupations o ON o.year = l.end_year AND o.soc = l.end_code AND NOT o.is_total
), rankings AS (
    SELECT b.*, r.ranking,
           CASE r.ranking WHEN 'mean' THEN b.wage_mean_rank ELSE b.wage_median_rank END AS wage
    FROM base_occ b, (VALUES ('mean'), ('median')) r(ranking)
), unit_base AS (
    -- Only occupations with a wage and an employment count rank a unit.
    SELECT base_year, end_year, link_rule, ranking, unit,
           sum(emp) AS base_emp, sum(emp * wage) / sum(emp) AS wage
    FROM rankings WHERE wage IS NOT NULL AND emp IS NOT NULL
    GROUP BY ALL
), unit_end AS (
    SELECT base_year, link_rule, unit, sum(emp) AS end_emp
    FROM end_occ WHERE emp IS NOT NULL GROUP BY ALL
), ranked AS (
    SELECT u.*, coalesce(e.end_emp, 0) AS end_emp,
           (sum(u.base_emp) OVER w - u.base_emp / 2) / sum(u.base_emp) OVER (PARTITION BY u.base_year, u.link_rule, u.ranking) AS midpoint
    FROM unit_base u
    LEFT JOIN unit_end e USING (base_year, link_rule, unit)
    WINDOW w AS (PARTITION BY u.base_year, u.link_rule, u.ranking ORDER BY u.wage, u.unit
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), binned AS (
    SELECT r.*, b.bins, least(floor(r.midpoint * b.bins)::INTEGER + 1, b.bins) AS quantile
    FROM ranked r, (VALUES (5), (10)) b(bins)
), totals AS (
    SELECT year, emp AS total_emp FROM marts.c7_occupations WHERE is_total
), q AS (
    SELECT base_year, end_year, link_rule, ranking, bins, quantile,
           count(*) AS units, min(wage) AS wage_low, max(wage) AS wage_high,
           sum(base_emp) AS base_emp, sum(end_emp) AS end_emp
    FROM binned GROUP BY ALL
)
SELECT q.base_year, q.end_year, q.link_rule, q.ranking, q.bins, q.quantile, q.units,
       q.wage_low, q.wage_high, q.base_emp, q.end_emp,
       q.base_emp / tb.total_emp AS base_share,
       q.end_emp / te.total_emp AS end_share,
       100 * (q.end_emp / te.total_emp - q.base_emp / tb.total_emp) AS change_pp,
       100 * (q.end_emp / sum(q.end_emp) OVER p - q.base_emp / sum(q.base_emp) OVER p) AS change_pp_within_linked,
       100 * (q.quantile - 0.5) / q.bins AS percentile_mid
FROM q
JOIN totals tb ON tb.year = q.base_year
JOIN totals te ON te.year = q.end_year
WINDOW p AS (PARTITION BY q.base_year, q.link_rule, q.ranking, q.bins)
ORDER BY q.base_year, q.link_rule, q.ranking, q.bins, q.quantile;
