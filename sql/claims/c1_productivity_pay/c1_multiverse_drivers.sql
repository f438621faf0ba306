-- Which measurement choice moves the C1 gap most: for each base quarter of the multiverse and each choice (productivity, productivity prices, pay, deflator), the median gap of the combinations holding that option, and the spread between the options' medians. The choice with the largest spread moves the answer most.
-- column base_period: Base quarter (YYYYQn)
-- column choice: productivity, productivity_prices, pay or deflator
-- column option: The option of that choice
-- column combinations: Combinations in the multiverse holding that option
-- column median_gap_pts: Median gap (productivity growth - pay growth) of those combinations, percentage points
-- column min_gap_pts: Smallest gap among them, percentage points
-- column max_gap_pts: Largest gap among them, percentage points
-- column choice_spread_pts: Largest minus smallest option median within the choice, percentage points
CREATE OR REPLACE TABLE marts.c1_multiverse_drivers AS
WITH long AS (
    SELECT base_period, c.choice, c.option, gap_pts
    FROM marts.c1_multiverse,
         LATERAL (VALUES ('productivity', productivity), ('productivity_prices', productivity_prices),
                         ('pay', pay), ('deflator', deflator)) AS c(choice, option)
), by_option AS (
    SELECT base_period, choice, option, count(*) AS combinations, median(gap_pts) AS median_gap_pts,
           min(gap_pts) AS min_gap_pts, max(gap_pts) AS max_gap_pts
    FROM long GROUP BY ALL
)
SELECT *, max(median_gap_pts) OVER w - min(median_gap_pts) OVER w AS choice_spread_pts
FROM by_option
WINDOW w AS (PARTITION BY base_period, choice)
ORDER BY base_period, choice_spread_pts DESC, choice, median_gap_pts;
