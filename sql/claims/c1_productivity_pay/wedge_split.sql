-- Table macro marts.wedge_split(start_period, end_period, variant): for one window of one C1 variant, the gap in log points and each wedge (labor share, prices, inequality) in log points and as a percent share of the gap; the shares add to 100. Periods are quarters 'YYYYQn' or years 'YYYY' (both the same kind); errors as marts.gap_since, and an end period outside the data is an error too.
CREATE OR REPLACE MACRO marts.wedge_split(start_period, end_period, variant_name) AS TABLE
WITH g AS (SELECT * FROM marts.gap_since(start_period, variant_name)),
     e AS (SELECT upper(trim(CAST(end_period AS VARCHAR))) AS p),
     checked AS (
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM g, e WHERE g.period = e.p) THEN error(
               'end period ' || (SELECT p FROM e) || ' is outside the window of C1 variant '
               || CAST(variant_name AS VARCHAR) || ': periods from '
               || coalesce((SELECT min(period) FROM g), '?') || ' to ' || coalesce((SELECT max(period) FROM g), '?') || ' exist')
           ELSE (SELECT p FROM e) END AS end_checked
)
SELECT g.variant, g.base_period AS start_period, g.period AS end_period,
       g.productivity_growth_pct, g.pay_growth_pct, g.log_gap,
       g.labor_share_wedge, g.prices_wedge, g.inequality_wedge,
       100 * g.labor_share_wedge / nullif(g.log_gap, 0) AS labor_share_share_pct,
       100 * g.prices_wedge / nullif(g.log_gap, 0) AS prices_share_pct,
       100 * g.inequality_wedge / nullif(g.log_gap, 0) AS inequality_share_pct
FROM g, checked
WHERE g.period = checked.end_checked
-- Always reads the check, so a bad end period raises its error rather than returning no rows.
UNION ALL BY NAME
SELECT end_checked AS end_period FROM checked WHERE end_checked IS NULL;
