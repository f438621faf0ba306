-- The multiverse of claim C1: every combination of productivity measure, productivity prices, pay measure and deflator (the unnamed variants of the c1_variants mart), from each cyclical-peak base quarter (1973Q4, 1979Q4, 1989Q4, 2000Q4, 2007Q4) to the combination's latest quarter, with each side's cumulative growth, the gap in points and as a ratio, and the three wedges. A combination whose data start after a base has no row for that base.
-- column variant: Combination name productivity|productivity_prices|pay|deflator
-- column productivity: Productivity measure
-- column productivity_prices: consumer (same deflator as pay) or output (own output prices)
-- column pay: Pay measure
-- column deflator: Deflator of pay (and of productivity when productivity_prices = consumer)
-- column base_period: Base quarter (YYYYQn)
-- column end_period: Latest quarter with every input of the combination (YYYYQn)
-- column productivity_growth_pct: Cumulative real productivity growth from base to end, percent
-- column pay_growth_pct: Cumulative real pay growth from base to end, percent
-- column gap_pts: productivity_growth_pct - pay_growth_pct, percentage points
-- column years: Length of the window in years
-- column productivity_growth_rate: Average annual real productivity growth over the window, percent a year
-- column pay_growth_rate: Average annual real pay growth over the window, percent a year
-- column rate_gap: productivity_growth_rate - pay_growth_rate, percentage points a year (comparable across base periods)
-- column gap_ratio: productivity_growth_pct / pay_growth_pct (EPI's "2.7x"); NULL when pay did not change
-- column log_gap: Change of ln(productivity / pay) from base to end, log points
-- column same_sector: True when the pay measure covers the productivity measure's sector (nonfarm business with any pay measure; the total economy with economy-wide typical pay, not nonfarm business mean compensation; nonfinancial corporations with none), so the wedges are defined
-- column labor_share_wedge: Part of log_gap from the fall of the labor share, log points (NULL unless same_sector)
-- column prices_wedge: Part of log_gap from consumer prices rising faster than output prices, log points (NULL unless same_sector)
-- column inequality_wedge: Part of log_gap from mean compensation outgrowing the chosen pay measure, log points (NULL unless same_sector)
CREATE OR REPLACE TABLE marts.c1_multiverse AS
WITH bases(base_period) AS (VALUES ('1973Q4'), ('1979Q4'), ('1989Q4'), ('2000Q4'), ('2007Q4')),
     q AS (SELECT * FROM marts.c1_series WHERE frequency = 'Q'),
     last AS (SELECT variant, max(date) AS date FROM q GROUP BY variant)
SELECT v.variant, v.productivity, v.productivity_prices, v.pay, v.deflator,
       b.period AS base_period, e.period AS end_period,
       100 * (e.productivity_real / b.productivity_real - 1) AS productivity_growth_pct,
       100 * (e.pay_real / b.pay_real - 1) AS pay_growth_pct,
       100 * (e.productivity_real / b.productivity_real - e.pay_real / b.pay_real) AS gap_pts,
       datediff('month', b.date, e.date) / 12.0 AS years,
       100 * (pow(e.productivity_real / b.productivity_real, 12.0 / datediff('month', b.date, e.date)) - 1) AS productivity_growth_rate,
       100 * (pow(e.pay_real / b.pay_real, 12.0 / datediff('month', b.date, e.date)) - 1) AS pay_growth_rate,
       100 * (pow(e.productivity_real / b.productivity_real, 12.0 / datediff('month', b.date, e.date))
              - pow(e.pay_real / b.pay_real, 12.0 / datediff('month', b.date, e.date))) AS rate_gap,
       (e.productivity_real / b.productivity_real - 1) / nullif(e.pay_real / b.pay_real - 1, 0) AS gap_ratio,
       e.log_gap - b.log_gap AS log_gap,
       -- The wedge labels mean something only when pay and mean compensation share a sector.
       s.same_sector,
       CASE WHEN s.same_sector THEN e.labor_share_term - b.labor_share_term END AS labor_share_wedge,
       CASE WHEN s.same_sector THEN e.prices_term - b.prices_term END AS prices_wedge,
       CASE WHEN s.same_sector THEN e.inequality_term - b.inequality_term END AS inequality_wedge
FROM marts.c1_variants v
JOIN bases ON true
CROSS JOIN LATERAL (SELECT (v.productivity = 'nonfarm_business')
                           OR (v.productivity LIKE 'total_economy_net%' AND v.pay <> 'mean_compensation') AS same_sector) s
JOIN q b ON b.variant = v.variant AND b.period = bases.base_period
JOIN last l ON l.variant = v.variant
JOIN q e ON e.variant = v.variant AND e.date = l.date
WHERE NOT v.named
ORDER BY base_period, gap_pts;
