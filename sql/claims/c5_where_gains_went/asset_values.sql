-- Asset values against income and output (C5, second half), quarterly from the FRED-QD database. FRED-QD stores these Financial Accounts levels deflated (its appendix): household and nonprofit net worth TNWBSHNOx by core PCE prices (PCEPILFE), nonfinancial corporate net worth at market value TNWMVBSNNCBx by the business-sector price deflator (IPDBS); real disposable income DPIC96 by PCE prices (PCECTPI), real GDP GDPC1 by its own deflator (GDPCTPI). Each is re-inflated by its own deflator, so the ratios are nominal over nominal. The nonfinancial corporate figure is the sector's net worth at market value (assets at market less liabilities), not the market value of its equity, which FRED-QD does not carry.
-- column date: First day of the quarter
-- column hh_nw_dpi_pct: Household net worth / disposable personal income, nominal over nominal, percent: 100 (TNWBSHNOx x PCEPILFE) / (DPIC96 x PCECTPI)
-- column nwpix_pct: FRED-QD's own NWPIx, percent: 100 TNWBSHNOx / DPIC96, which mixes deflators (core PCE over PCE): a labelled variant
-- column nfc_nw_gdp_pct: Nonfinancial corporate net worth at market value / nominal GDP, percent: 100 (TNWMVBSNNCBx x IPDBS) / (GDPC1 x GDPCTPI)
-- column hh_nw_bn: Household net worth, nominal, billions of dollars
-- column nfc_nw_bn: Nonfinancial corporate net worth at market value, nominal, billions of dollars
-- column gdp_bn: GDP, nominal, billions of dollars (annual rate)
CREATE OR REPLACE TABLE marts.asset_values AS
WITH q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'FREDQD_TNWBSHNOx') AS nw_real,
           max(value) FILTER (WHERE series_id = 'FREDQD_PCEPILFE') AS pcepilfe,
           max(value) FILTER (WHERE series_id = 'FREDQD_DPIC96') AS dpi_real,
           max(value) FILTER (WHERE series_id = 'FREDQD_PCECTPI') AS pcectpi,
           max(value) FILTER (WHERE series_id = 'FREDQD_NWPIx') AS nwpix,
           max(value) FILTER (WHERE series_id = 'FREDQD_TNWMVBSNNCBx') AS nfc_real,
           max(value) FILTER (WHERE series_id = 'FREDQD_IPDBS') AS ipdbs,
           max(value) FILTER (WHERE series_id = 'FREDQD_GDPC1') AS gdp_real,
           max(value) FILTER (WHERE series_id = 'FREDQD_GDPCTPI') AS gdpctpi
    FROM staging.observations
    WHERE series_id IN ('FREDQD_TNWBSHNOx', 'FREDQD_PCEPILFE', 'FREDQD_DPIC96', 'FREDQD_PCECTPI', 'FREDQD_NWPIx',
                        'FREDQD_TNWMVBSNNCBx', 'FREDQD_IPDBS', 'FREDQD_GDPC1', 'FREDQD_GDPCTPI')
    GROUP BY date
)
SELECT date,
       100 * (nw_real * pcepilfe) / (dpi_real * pcectpi) AS hh_nw_dpi_pct,
       nwpix AS nwpix_pct,
       100 * (nfc_real * ipdbs) / (gdp_real * gdpctpi) AS nfc_nw_gdp_pct,
       nw_real * pcepilfe / 100 AS hh_nw_bn,
       nfc_real * ipdbs / 100 AS nfc_nw_bn,
       gdp_real * gdpctpi / 100 AS gdp_bn
FROM q
WHERE (nw_real * pcepilfe) / (dpi_real * pcectpi) IS NOT NULL OR (nfc_real * ipdbs) / (gdp_real * gdpctpi) IS NOT NULL
ORDER BY date;
