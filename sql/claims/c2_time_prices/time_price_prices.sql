-- Each price index rebased to each base year of the time-price matrix it meets (price_rel = 1 there), keyed by the combination of year sets; the other side of the matrix's join.
-- column set_pair: Combination of year sets (marts.time_price_base_years)
-- column price_series_id: Price index
-- column year: Year
-- column price: Price index, annual average (own base)
-- column price_rel: price / price at base_year
CREATE OR REPLACE TABLE marts.time_price_prices AS
WITH p AS (SELECT price_series_id, year, price FROM staging.price_series),
sets AS (SELECT price_series_id, list_sort(list(year)) AS price_years FROM p GROUP BY ALL)
SELECT b.set_pair, p.price_series_id, p.year, p.price, p.price / pb.price AS price_rel
FROM marts.time_price_base_years b
JOIN sets s ON s.price_years = b.price_years
JOIN p ON p.price_series_id = s.price_series_id
JOIN p AS pb ON pb.price_series_id = s.price_series_id AND pb.year = b.base_year;
