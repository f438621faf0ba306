-- Base years of the time-price matrix. Wage series with the same set of years meet price series with the same set of years in the same first common year, so base years are computed once per combination of year sets (a handful), not per pair of series.
-- column set_pair: Id of the combination of a wage year set and a price year set
-- column wage_years: Sorted years of the wage series in the combination
-- column price_years: Sorted years of the price series in the combination
-- column base_year: First year both sets share
CREATE OR REPLACE TABLE marts.time_price_base_years AS
WITH wage_sets AS (
    SELECT DISTINCT list_sort(list(year)) AS wage_years FROM staging.wage_series GROUP BY wage_series_id
), price_sets AS (
    SELECT DISTINCT list_sort(list(year)) AS price_years FROM staging.price_series GROUP BY price_series_id
)
SELECT CAST(row_number() OVER (ORDER BY wage_years, price_years) AS INTEGER) AS set_pair,
       wage_years, price_years, list_min(list_intersect(wage_years, price_years)) AS base_year
FROM wage_sets, price_sets
WHERE len(list_intersect(wage_years, price_years)) > 0;
