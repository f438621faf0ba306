-- The services side of C2 (Baumol): annual averages (complete calendar years only) of the personal care price, the wage, and the goods it is set against. Haircuts (CUUR0000SEGC01) are used when held; otherwise personal care services (CUUR0000SEGC), the broader index that contains them (the snapshot holds no haircut index). Time price = price / AHETPI (production and nonsupervisory average hourly earnings); relative prices against all items (CPIAUCSL), goods (CPI commodities CUSR0000SAC, from FRED-MD) and televisions (CUSR0000SERA01).
-- column year: Calendar year
-- column services_series: Series used for personal services: CUUR0000SEGC01 (haircuts) or CUUR0000SEGC (personal care services)
-- column services_price: Annual average of the personal services index
-- column ahetpi: Annual average of AHETPI, dollars per hour
-- column tv_price: Annual average of the TV index (NULL outside its years)
-- column cpi_all: Annual average of CPI-U all items
-- column cpi_goods: Annual average of CPI-U commodities (goods), from FRED-MD
-- column time_price: services_price / ahetpi (index points per dollar of hourly pay; compare as ratios)
-- column rel_tv: services_price / tv_price
-- column rel_all: services_price / cpi_all
-- column rel_goods: services_price / cpi_goods
CREATE OR REPLACE TABLE marts.services_prices AS
WITH pick AS (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM staging.observations WHERE series_id = 'CUUR0000SEGC01')
                THEN 'CUUR0000SEGC01' ELSE 'CUUR0000SEGC' END AS services_series
), annual AS (
    SELECT o.series_id, year(o.date) AS year, avg(o.value) AS value
    FROM staging.observations o
    WHERE o.series_id IN ((SELECT services_series FROM pick), 'AHETPI', 'CUSR0000SERA01', 'CPIAUCSL', 'FREDMD_CUSR0000SAC')
    GROUP BY ALL HAVING count(*) = 12
), wide AS (
    SELECT year,
           max(value) FILTER (WHERE series_id = (SELECT services_series FROM pick)) AS services_price,
           max(value) FILTER (WHERE series_id = 'AHETPI') AS ahetpi,
           max(value) FILTER (WHERE series_id = 'CUSR0000SERA01') AS tv_price,
           max(value) FILTER (WHERE series_id = 'CPIAUCSL') AS cpi_all,
           max(value) FILTER (WHERE series_id = 'FREDMD_CUSR0000SAC') AS cpi_goods
    FROM annual GROUP BY year
)
SELECT w.year, p.services_series, w.services_price, w.ahetpi, w.tv_price, w.cpi_all, w.cpi_goods,
       w.services_price / w.ahetpi AS time_price,
       w.services_price / w.tv_price AS rel_tv,
       w.services_price / w.cpi_all AS rel_all,
       w.services_price / w.cpi_goods AS rel_goods
FROM wide w, pick p
WHERE w.services_price IS NOT NULL
ORDER BY w.year;
