-- Employment share and relative wage of personal care and service occupations (SOC 39-0000), healthcare support (31-0000) and the two combined, in each OEWS national workbook held (C6). The combined row is the comparable one across the SOC 2018 revision, which moved personal care aides from 39-9021 into healthcare support (31-1120/31-1122, from the 2019 file on): the separate 31 and 39 shares jump there by construction. OEWS excludes the self-employed.
-- column year: Year of the May reference month
-- column soc_group: 39-0000, 31-0000, or 31+39 (combined)
-- column title: Major group title
-- column emp: Employment of the group (TOT_EMP)
-- column emp_share_pct: Group employment / all-occupations employment (00-0000), percent
-- column h_mean: Mean hourly wage of the group, dollars (combined: employment-weighted mean of the two groups)
-- column rel_wage: Group mean hourly wage / all-occupations mean hourly wage
CREATE OR REPLACE TABLE marts.c6_oews_groups AS
WITH obs AS (
    SELECT year(date) AS year,
           substr(series_id, 6, 2) || '-' || substr(series_id, 8, 4) AS soc,
           regexp_extract(series_id, '^OEWS_\d{6}_([A-Z_]+)$', 1) AS measure, value
    FROM staging.observations
    WHERE regexp_matches(series_id, '^OEWS_(000000|310000|390000)_(TOT_EMP|H_MEAN)$')
), wide AS (
    SELECT year, soc,
           max(value) FILTER (WHERE measure = 'TOT_EMP') AS emp,
           max(value) FILTER (WHERE measure = 'H_MEAN') AS h_mean
    FROM obs GROUP BY ALL
), total AS (
    SELECT year, emp AS total_emp, h_mean AS total_h_mean FROM wide WHERE soc = '00-0000'
), groups AS (
    SELECT year, soc AS soc_group, emp, h_mean FROM wide WHERE soc IN ('39-0000', '31-0000')
    UNION ALL
    SELECT year, '31+39', sum(emp), sum(emp * h_mean) / sum(emp)
    FROM wide WHERE soc IN ('39-0000', '31-0000')
    GROUP BY year HAVING count(emp) = 2 AND count(h_mean) = 2
)
SELECT g.year, g.soc_group,
       CASE g.soc_group WHEN '39-0000' THEN 'Personal care and service occupations'
                        WHEN '31-0000' THEN 'Healthcare support occupations'
                        ELSE 'Personal care and service plus healthcare support' END AS title,
       g.emp, 100 * g.emp / t.total_emp AS emp_share_pct, g.h_mean, g.h_mean / t.total_h_mean AS rel_wage
FROM groups g JOIN total t USING (year)
ORDER BY g.year, g.soc_group;
