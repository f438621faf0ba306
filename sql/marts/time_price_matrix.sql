-- The time-price matrix: every wage series (each OEWS occupation's mean and median hourly wage, each CES hourly-earnings series) x every price index of the catalog x every year both cover. The time price of a good is its money price over an hourly wage (hours of work per unit); with price indexes only its changes mean anything, so it is indexed to 100 in the first year the pair shares (base_year). Years missing from either series (OEWS 2009-2012 in the snapshot, suppressed wages) have no row: gaps are never filled. Rebase with a window, e.g. 100 * time_price_index / first_value(time_price_index) OVER (PARTITION BY wage_series_id, price_series_id ORDER BY year) over the years you keep. Titles: the view time_prices beside it.
-- column wage_series_id: Wage series (staging.wage_series)
-- column price_series_id: Price index (staging.price_series)
-- column year: Year (OEWS: May reference; CES and CPI: calendar-year average)
-- column wage: Hourly wage, dollars
-- column price: Price index, annual average (own base)
-- column base_year: First year the pair shares: time_price_index = 100 there
-- column time_price_index: Hours of work per unit of the good, index base_year = 100 (price index / wage, rebased)
CREATE OR REPLACE TABLE marts.time_price_matrix AS
SELECT w.wage_series_id, p.price_series_id, w.year, w.wage, p.price,
       min(w.year) OVER pair AS base_year,
       100 * (p.price / w.wage) / first_value(p.price / w.wage) OVER pair AS time_price_index
FROM staging.wage_series w
JOIN staging.price_series p ON p.year = w.year
WINDOW pair AS (PARTITION BY w.wage_series_id, p.price_series_id ORDER BY w.year);
