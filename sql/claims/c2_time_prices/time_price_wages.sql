-- Each wage series rebased to each base year of the time-price matrix it meets (wage_rel = 1 there), keyed by the combination of year sets; one side of the matrix's join.
-- column set_pair: Combination of year sets (marts.time_price_base_years)
-- column base_year: Base year of that combination
-- column wage_series_id: Wage series
-- column year: Year
-- column wage: Hourly wage, dollars
-- column wage_rel: wage / wage at base_year
CREATE OR REPLACE TABLE marts.time_price_wages AS
WITH w AS (SELECT wage_series_id, year, wage FROM staging.wage_series),
sets AS (SELECT wage_series_id, list_sort(list(year)) AS wage_years FROM w GROUP BY ALL)
SELECT b.set_pair, b.base_year, w.wage_series_id, w.year, w.wage, w.wage / wb.wage AS wage_rel
FROM marts.time_price_base_years b
JOIN sets s ON s.wage_years = b.wage_years
JOIN w ON w.wage_series_id = s.wage_series_id
JOIN w AS wb ON wb.wage_series_id = s.wage_series_id AND wb.year = b.base_year;
