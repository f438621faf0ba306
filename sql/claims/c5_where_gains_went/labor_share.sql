-- Labor share and margins (C5), quarterly: BLS labor-share and unit-profit indexes (2017 = 100), NIPA nonfinancial corporate labor and profit shares of net value added (levels, percent, and indexed 2017 = 100), and corporate profits / GDP (levels and indexed). BLS publishes only indexes here; NIPA gives the levels.
-- column date: First day of the quarter
-- column nfb_labor_share_idx [index 2017=100; BLS Productivity and Costs]: PRS85006173, nonfarm business labor share, index 2017 = 100
-- column nfc_labor_share_idx [index 2017=100; BLS Productivity and Costs]: PRS88003173, nonfinancial corporate labor share, index 2017 = 100
-- column nfc_unit_profits_idx [index 2017=100; BLS Productivity and Costs]: PRS88003193, nonfinancial corporate unit profits, index 2017 = 100
-- column nfc_labor_share_pct [percent; BEA NIPA table 1.14]: Nonfinancial corporate compensation / net value added (A460RC1Q027SBEA / A457RC1Q027SBEA), percent
-- column nfc_profit_share_pct [percent; BEA NIPA table 1.14]: Nonfinancial corporate profits with IVA and CCAdj / net value added (A463RC1Q027SBEA / A457RC1Q027SBEA), percent
-- column cprofit_gdp_pct [percent; BEA NIPA]: Corporate profits with IVA and CCAdj / GDP (CPROFIT / GDP), percent
-- column cp_gdp_pct [percent; BEA NIPA]: Corporate profits after tax without IVA and CCAdj / GDP (CP / GDP), percent
-- column nfc_labor_share_pct_idx [index 2017=100]: nfc_labor_share_pct indexed, 2017 average = 100
-- column cprofit_gdp_idx [index 2017=100]: cprofit_gdp_pct indexed, 2017 average = 100
-- column profits_gdp_mixed_vintage: True when CPROFIT, CP and GDP come from different releases (staging.series_release), so the profit/GDP ratios mix vintages
-- column profits_gdp_releases: The distinct releases of CPROFIT, CP and GDP, ' | '-separated
CREATE OR REPLACE TABLE marts.labor_share AS
WITH q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'PRS85006173') AS nfb_ls,
           max(value) FILTER (WHERE series_id = 'PRS88003173') AS nfc_ls,
           max(value) FILTER (WHERE series_id = 'PRS88003193') AS nfc_up,
           max(value) FILTER (WHERE series_id = 'A460RC1Q027SBEA') AS comp,
           max(value) FILTER (WHERE series_id = 'A457RC1Q027SBEA') AS nva,
           max(value) FILTER (WHERE series_id = 'A463RC1Q027SBEA') AS profits,
           max(value) FILTER (WHERE series_id = 'CPROFIT') AS cprofit,
           max(value) FILTER (WHERE series_id = 'CP') AS cp,
           max(value) FILTER (WHERE series_id = 'GDP') AS gdp
    FROM staging.quarterly
    WHERE series_id IN ('PRS85006173', 'PRS88003173', 'PRS88003193', 'A460RC1Q027SBEA',
                        'A457RC1Q027SBEA', 'A463RC1Q027SBEA', 'CPROFIT', 'CP', 'GDP')
    GROUP BY date
), shares AS (
    SELECT date, nfb_ls AS nfb_labor_share_idx, nfc_ls AS nfc_labor_share_idx,
           nfc_up AS nfc_unit_profits_idx,
           100 * comp / nva AS nfc_labor_share_pct, 100 * profits / nva AS nfc_profit_share_pct,
           100 * cprofit / gdp AS cprofit_gdp_pct, 100 * cp / gdp AS cp_gdp_pct
    FROM q
), base AS (
    SELECT avg(nfc_labor_share_pct) AS ls2017, avg(cprofit_gdp_pct) AS pg2017
    FROM shares WHERE year(date) = 2017
), vintages AS (
    SELECT count(DISTINCT release) > 1 AS mixed_vintage,
           string_agg(DISTINCT release, ' | ' ORDER BY release) AS releases
    FROM staging.series_release WHERE series_id IN ('CPROFIT', 'CP', 'GDP')
)
SELECT s.*, 100 * s.nfc_labor_share_pct / b.ls2017 AS nfc_labor_share_pct_idx,
       100 * s.cprofit_gdp_pct / b.pg2017 AS cprofit_gdp_idx,
       coalesce(v.mixed_vintage, false) AS profits_gdp_mixed_vintage,
       v.releases AS profits_gdp_releases
FROM shares s CROSS JOIN base b CROSS JOIN vintages v
WHERE coalesce(s.nfb_labor_share_idx, s.nfc_labor_share_idx, s.nfc_labor_share_pct, s.cprofit_gdp_pct) IS NOT NULL
ORDER BY s.date;
