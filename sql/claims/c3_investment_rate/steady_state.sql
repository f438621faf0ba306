-- Steady-state check (C3), quarterly, nonfinancial corporate business: the gross profit rate r = (net operating surplus + consumption of fixed capital) / capital stock at the start of the quarter, against (g + d) / a, where g is the capital stock's growth over four quarters, d the depreciation rate (consumption of fixed capital / capital stock) and a the investment rate (fixed investment / gross profit). In a steady state the two are equal; they differ by revaluations of the current-cost capital stock and by growth that is not steady. Needs the Financial Accounts series (live only); empty otherwise (the mart availability_c3_c5 says why).
-- column date: First day of the quarter
-- column capital_stock: BOGZ1FL105015085Q, nonfinancial corporate structures, equipment and IPP at current cost, end of the previous quarter, billions
-- column gross_profit: Net operating surplus + consumption of fixed capital (W326RC1Q027SBEA + B456RC1Q027SBEA), billions SAAR
-- column investment: BOGZ1FA105013005Q / 1000, nonfinancial corporate fixed investment, billions SAAR
-- column profit_rate: gross_profit / capital_stock, per year
-- column growth: capital_stock growth over the last four quarters, per year
-- column depreciation_rate: consumption of fixed capital / capital_stock, per year
-- column investment_rate: investment / gross_profit
-- column steady_state_profit_rate: (growth + depreciation_rate) / investment_rate, per year
-- column gap: profit_rate - steady_state_profit_rate, per year
-- column mixed_vintage: True when the series used come from different releases (staging.series_release)
-- column releases: The distinct releases of the series used, ' | '-separated
CREATE OR REPLACE TABLE marts.steady_state AS
WITH q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'BOGZ1FL105015085Q') / 1000.0 AS k_end,
           max(value) FILTER (WHERE series_id = 'BOGZ1FA105013005Q') / 1000.0 AS inv,
           max(value) FILTER (WHERE series_id = 'W326RC1Q027SBEA') AS nos,
           max(value) FILTER (WHERE series_id = 'B456RC1Q027SBEA') AS cfc
    FROM staging.quarterly
    WHERE series_id IN ('BOGZ1FL105015085Q', 'BOGZ1FA105013005Q', 'W326RC1Q027SBEA', 'B456RC1Q027SBEA')
    GROUP BY date
), lagged AS (
    SELECT date, inv, nos, cfc,
           lag(k_end) OVER (ORDER BY date) AS k_start,
           lag(k_end, 5) OVER (ORDER BY date) AS k_start_year_ago
    FROM q
), rates AS (
    SELECT date, k_start AS capital_stock, nos + cfc AS gross_profit, inv AS investment,
           (nos + cfc) / k_start AS profit_rate,
           k_start / k_start_year_ago - 1 AS growth,
           cfc / k_start AS depreciation_rate,
           inv / nullif(nos + cfc, 0) AS investment_rate
    FROM lagged
    WHERE k_start IS NOT NULL AND k_start_year_ago IS NOT NULL AND inv IS NOT NULL
      AND nos IS NOT NULL AND cfc IS NOT NULL
), vintages AS (
    SELECT count(DISTINCT release) > 1 AS mixed_vintage,
           string_agg(DISTINCT release, ' | ' ORDER BY release) AS releases
    FROM staging.series_release
    WHERE series_id IN ('BOGZ1FL105015085Q', 'BOGZ1FA105013005Q', 'W326RC1Q027SBEA', 'B456RC1Q027SBEA')
)
SELECT r.*, (r.growth + r.depreciation_rate) / r.investment_rate AS steady_state_profit_rate,
       r.profit_rate - (r.growth + r.depreciation_rate) / r.investment_rate AS gap,
       coalesce(v.mixed_vintage, false) AS mixed_vintage, v.releases
FROM rates r CROSS JOIN vintages v
ORDER BY r.date;
