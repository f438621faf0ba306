-- Kalecki's identity (C4) by decade: the mean of each term as a share of GDP, so the report can show how the sources of profits shifted. Signs as the terms enter profits after tax.
-- column decade: First year of the decade (1940 = 1940-1949)
-- column path: full or remainder (as in marts.kalecki)
-- column quarters: Quarters averaged
-- column profits_pct_gdp: Mean profits after tax, % of GDP
-- column net_investment_pct_gdp: Mean net investment, % of GDP (enters with +)
-- column household_saving_pct_gdp: Mean household saving, % of GDP (enters with -)
-- column government_foreign_saving_pct_gdp: Mean government + foreign saving, % of GDP (enters with -; on the remainder path also net of government investment)
-- column dividends_pct_gdp: Mean dividends, % of GDP (enters with +)
-- column statistical_discrepancy_pct_gdp: Mean statistical discrepancy, % of GDP (enters with -)
CREATE OR REPLACE TABLE marts.kalecki_decades AS
SELECT 10 * (year(date) // 10) AS decade, path, count(*) AS quarters,
       avg(profits_pct_gdp) AS profits_pct_gdp,
       avg(net_investment_pct_gdp) AS net_investment_pct_gdp,
       avg(household_saving_pct_gdp) AS household_saving_pct_gdp,
       avg(government_foreign_saving_pct_gdp) AS government_foreign_saving_pct_gdp,
       avg(dividends_pct_gdp) AS dividends_pct_gdp,
       avg(statistical_discrepancy_pct_gdp) AS statistical_discrepancy_pct_gdp
FROM marts.kalecki
GROUP BY decade, path
ORDER BY decade, path;
