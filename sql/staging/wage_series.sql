-- Every hourly wage series the time-price matrix divides by, annual: each OEWS occupation's national mean and median hourly wage (May reference), and each CES hourly-earnings series of the catalog (units 'Dollars per hour', complete calendar years averaged).
-- column wage_series_id: Series id (OEWS_<SOC>_H_MEAN / _H_MEDIAN, or a catalog id such as AHETPI)
-- column year: Year
-- column wage [dollars per hour; BLS OEWS national, BLS CES]: Hourly wage or earnings
CREATE OR REPLACE VIEW staging.wage_series AS
SELECT 'OEWS_' || replace(soc, '-', '') || '_' || measure AS wage_series_id, year, wage
FROM staging.oews_wages
WHERE wage IS NOT NULL
UNION ALL
SELECT a.series_id, a.year, a.value
FROM staging.annual a
JOIN meta.series s ON s.id = a.series_id
WHERE s.units = 'Dollars per hour' AND a.value > 0;
