-- Every price index of the catalog, annual (complete calendar years averaged): the CPI items and aggregates, PCE and output deflators. A catalog row is a price series when its title says CPI, consumer price, price index or deflator.
-- column price_series_id: Catalog series id
-- column year: Year
-- column price [index, the series' own base; staging.annual]: Annual average of the index (only ratios between years mean anything)
CREATE OR REPLACE VIEW staging.price_series AS
SELECT a.series_id AS price_series_id, a.year, a.value AS price
FROM staging.annual a
JOIN meta.series s ON s.id = a.series_id
WHERE (s.title ILIKE '%CPI%' OR s.title ILIKE '%consumer price%' OR s.title ILIKE '%price index%'
       OR s.title ILIKE '%deflator%')
  AND s.source NOT IN ('bea', 'fred_md')  -- wide-file copies (BEA workbook, FRED-MD/QD) of catalog indexes
  AND a.value > 0;
