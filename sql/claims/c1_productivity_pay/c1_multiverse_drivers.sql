-- Which measurement choice moves the C1 gap most: for each base quarter of the multiverse and each choice (productivity, productivity prices, pay, deflator), the median gap of the combinations holding that option, and the spread between the options' medians. Choices are ranked by the annualised gap over one common window (choice_spread_rate), so combinations that end in different quarters compare like with like; the cumulative-points columns are kept for reference.
-- column base_period: Base quarter (YYYYQn)
-- column choice: productivity, productivity_prices, pay or deflator
-- column option: The option of that choice
-- column combinations: Combinations in the multiverse holding that option
-- column median_gap_pts: Median gap (productivity growth - pay growth) of those combinations, percentage points
-- column min_gap_pts: Smallest gap among them, percentage points
-- column max_gap_pts: Largest gap among them, percentage points
-- column choice_spread_pts: Largest minus smallest option median within the choice, percentage points
-- column common_end_period: The last quarter every combination holds: the window of the rate columns
-- column median_rate_gap: Median annualised gap (productivity growth rate - pay growth rate) from the base to common_end_period, percentage points a year
-- column choice_spread_rate: Largest minus smallest option median_rate_gap within the choice, points a year: the ranking of choices (one window for all, so combinations ending in different quarters do not move it)
CREATE OR REPLACE TABLE marts.c1_multiverse_drivers AS
WITH common AS (
    SELECT min(e.date) AS end_date FROM (SELECT variant, max(date) AS date FROM marts.c1_series
                                         WHERE frequency = 'Q' AND variant LIKE '%|%' GROUP BY variant) e
), rates AS (
    SELECT m.variant, m.base_period, e.period AS common_end_period,
           100 * (pow(e.productivity_real / b.productivity_real, 12.0 / datediff('month', b.date, e.date))
                  - pow(e.pay_real / b.pay_real, 12.0 / datediff('month', b.date, e.date))) AS rate_gap
    FROM marts.c1_multiverse m
    JOIN marts.c1_series b ON b.variant = m.variant AND b.frequency = 'Q' AND b.period = m.base_period
    JOIN marts.c1_series e ON e.variant = m.variant AND e.frequency = 'Q'
    JOIN common ON e.date = common.end_date
), long AS (
    SELECT m.base_period, c.choice, c.option, m.gap_pts, r.rate_gap, r.common_end_period
    FROM marts.c1_multiverse m LEFT JOIN rates r USING (variant, base_period),
         LATERAL (VALUES ('productivity', productivity), ('productivity_prices', productivity_prices),
                         ('pay', pay), ('deflator', deflator)) AS c(choice, option)
), by_option AS (
    SELECT base_period, choice, option, count(*) AS combinations, median(gap_pts) AS median_gap_pts,
           min(gap_pts) AS min_gap_pts, max(gap_pts) AS max_gap_pts,
           any_value(common_end_period) AS common_end_period, median(rate_gap) AS median_rate_gap
    FROM long GROUP BY ALL
)
SELECT base_period, choice, option, combinations, median_gap_pts, min_gap_pts, max_gap_pts,
       max(median_gap_pts) OVER w - min(median_gap_pts) OVER w AS choice_spread_pts,
       common_end_period, median_rate_gap,
       max(median_rate_gap) OVER w - min(median_rate_gap) OVER w AS choice_spread_rate
FROM by_option
WINDOW w AS (PARTITION BY base_period, choice)
ORDER BY base_period, choice_spread_rate DESC, choice, median_rate_gap;
