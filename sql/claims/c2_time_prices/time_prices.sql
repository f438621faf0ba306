-- The time-price matrix with titles, for analysts: filter on the occupation or good by name, e.g. WHERE wage_title ILIKE 'Registered nurses%mean%' AND price_title ILIKE '%hospital%'.
-- column wage_series_id: Wage series id
-- column wage_title: Wage series title (OEWS: occupation, SOC code and measure)
-- column price_series_id: Price index id
-- column price_title: Price index title
-- column year: Year
-- column wage: Hourly wage, dollars
-- column price: Price index, annual average (own base)
-- column base_year: First year the pair shares
-- column time_price_index: Hours of work per unit of the good, index base_year = 100
CREATE OR REPLACE VIEW marts.time_prices AS
SELECT m.wage_series_id, wt.title AS wage_title, m.price_series_id, pt.title AS price_title,
       m.year, m.wage, m.price, m.base_year, m.time_price_index
FROM marts.time_price_matrix m
LEFT JOIN staging.series_titles wt ON wt.series_id = m.wage_series_id
LEFT JOIN staging.series_titles pt ON pt.series_id = m.price_series_id;
