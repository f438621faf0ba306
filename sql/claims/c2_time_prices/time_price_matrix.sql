-- The time-price matrix: every wage series (each OEWS occupation's mean and median hourly wage, each CES hourly-earnings series) x every price index of the catalog x every year both cover. The time price of a good is its money price over an hourly wage (hours of work per unit); with price indexes only its changes mean anything, so it is indexed to 100 in the first year the pair shares (base_year). Years missing from either series (OEWS 2009-2012 in the snapshot, suppressed wages) have no row: gaps are never filled. Rebase with a window, e.g. 100 * time_price_index / first_value(time_price_index) OVER (PARTITION BY wage_series_id, price_series_id ORDER BY year) over the years you keep. Titles: the view time_prices beside it. Set-based and computed on read: series sharing the same set of years share their pairs' base year, so each wage and each price series is rebased once per base year (the small tables time_price_wages and time_price_prices) and the matrix is one hash join of the two, evaluated when queried; a filter on a series id is applied to the small tables first. Nothing of the product is stored, so the full OEWS width costs no build time or disk.
-- column wage_series_id: Wage series (staging.wage_series)
-- column price_series_id: Price index (staging.price_series)
-- column year: Year (OEWS: May reference; CES and CPI: calendar-year average)
-- column wage: Hourly wage, dollars
-- column price: Price index, annual average (own base)
-- column base_year: First year the pair shares: time_price_index = 100 there
-- column time_price_index: Hours of work per unit of the good, index base_year = 100 (price index / wage, rebased)
CREATE OR REPLACE VIEW marts.time_price_matrix AS
SELECT w.wage_series_id, p.price_series_id, w.year, w.wage, p.price, w.base_year,
       100 * p.price_rel / w.wage_rel AS time_price_index
FROM marts.time_price_wages w
JOIN marts.time_price_prices p ON p.set_pair = w.set_pair AND p.year = w.year;
