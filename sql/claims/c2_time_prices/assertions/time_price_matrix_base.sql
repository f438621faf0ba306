-- Every pair of the time-price matrix is 100 at its base year, and the base year is the pair's first year.
SELECT wage_series_id, price_series_id, min(year) AS first_year, any_value(base_year) AS base_year,
       max(time_price_index) FILTER (WHERE year = base_year) AS at_base
FROM marts.time_price_matrix
GROUP BY wage_series_id, price_series_id
HAVING min(year) <> any_value(base_year) OR abs(max(time_price_index) FILTER (WHERE year = base_year) - 100) > 1e-9;
