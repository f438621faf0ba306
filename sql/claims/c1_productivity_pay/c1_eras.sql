-- Average annual growth of real productivity and real pay by era for every C1 variant, as EPI reports them: 1948-1979, 1979 to the latest complete year and from each cyclical peak (1973, 1989, 2000, 2007) to it, on annual averages; and the quarterly window 1979Q4 to the latest quarter (EPI's headline window). An era whose start precedes a variant's data has no row.
-- column variant: Variant name
-- column era: Era label, e.g. 1948-1979 or 1979Q4-2025Q3
-- column frequency: A (annual averages) or Q (quarters)
-- column start_period: First period of the era
-- column end_period: Last period of the era
-- column years: Length of the era in years
-- column productivity_growth_rate: Average annual growth of real productivity, percent a year (compound)
-- column pay_growth_rate: Average annual growth of real pay, percent a year (compound)
-- column rate_gap: productivity_growth_rate - pay_growth_rate, percentage points a year
CREATE OR REPLACE TABLE marts.c1_eras AS
WITH last AS (
    SELECT variant, frequency, max(date) AS date FROM marts.c1_series GROUP BY variant, frequency
), windows AS (
    SELECT v.variant, 'A' AS frequency, make_date(s, 1, 1) AS start_date, coalesce(make_date(e, 1, 1), l.date) AS end_date
    FROM (SELECT DISTINCT variant FROM marts.c1_series) v
    JOIN last l ON l.variant = v.variant AND l.frequency = 'A'
    CROSS JOIN (VALUES (1948, 1979), (1979, NULL), (1973, NULL), (1989, NULL), (2000, NULL), (2007, NULL)) AS w(s, e)
    UNION ALL
    SELECT l.variant, 'Q', DATE '1979-10-01', l.date FROM last l WHERE l.frequency = 'Q'
)
SELECT w.variant, a.period || '-' || b.period AS era, w.frequency, a.period AS start_period, b.period AS end_period,
       datediff('month', a.date, b.date) / 12.0 AS years,
       100 * (pow(b.productivity_real / a.productivity_real, 12.0 / datediff('month', a.date, b.date)) - 1) AS productivity_growth_rate,
       100 * (pow(b.pay_real / a.pay_real, 12.0 / datediff('month', a.date, b.date)) - 1) AS pay_growth_rate,
       100 * (pow(b.productivity_real / a.productivity_real, 12.0 / datediff('month', a.date, b.date))
              - pow(b.pay_real / a.pay_real, 12.0 / datediff('month', a.date, b.date))) AS rate_gap
FROM windows w
JOIN marts.c1_series a ON a.variant = w.variant AND a.frequency = w.frequency AND a.date = w.start_date
JOIN marts.c1_series b ON b.variant = w.variant AND b.frequency = w.frequency AND b.date = w.end_date
WHERE b.date > a.date
ORDER BY w.variant, w.frequency, a.date;
