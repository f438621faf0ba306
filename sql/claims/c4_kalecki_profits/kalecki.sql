-- Kalecki's profit identity (C4), quarterly, from NIPA saving and investment: profits after tax (CPATAX) = net investment (investment - consumption of fixed capital) - household saving - government saving - foreign saving + dividends - statistical discrepancy (NIPA sign: GDP less GDI, i.e. investment side less saving side). Path 'full' when gross domestic investment (W170RC1Q027SBEA), net government saving (TGDEF) and the current account (NETFI, foreign saving = -NETFI) are held, and the residual measures how well it closes; otherwise path 'remainder': investment is GPDI and government + foreign saving (net of government investment) is whatever closes the identity, so there is no residual to measure. discrepancy_check (GDP - GDI - statistical discrepancy) is zero in one consistent NIPA vintage and shows where the inputs mix vintages.
-- column date: First day of the quarter
-- column path: full (every term measured) or remainder (government + foreign saving taken as the remainder)
-- column investment_series: Investment series used: W170RC1Q027SBEA (gross domestic investment, full path) or GPDI (gross private domestic investment, remainder path)
-- column profits_after_tax: CPATAX, corporate profits after tax with IVA and CCAdj, billions SAAR
-- column investment: Gross investment (investment_series), billions SAAR
-- column fixed_capital_consumption: COFC, consumption of fixed capital (all sectors), billions SAAR
-- column net_investment: investment - fixed_capital_consumption, billions SAAR
-- column household_saving: PSAVE, personal saving, billions SAAR
-- column government_saving: TGDEF, net government saving, billions SAAR (NULL on the remainder path)
-- column foreign_saving: -NETFI, foreign saving (the current-account deficit), billions SAAR (NULL on the remainder path)
-- column government_foreign_saving: government_saving + foreign_saving on the full path; on the remainder path the value that closes the identity (it then also nets out government investment, which GPDI excludes), billions SAAR
-- column dividends: DIVIDEND, net corporate dividends, billions SAAR
-- column statistical_discrepancy: A030RC1Q027SBEA, GDP less GDI, billions SAAR
-- column identity_residual: profits_after_tax - (net_investment - household_saving - government_foreign_saving + dividends - statistical_discrepancy), billions SAAR; measured on the full path only (NULL on the remainder path, where it is zero by construction)
-- column gdp: GDP, billions SAAR
-- column gdi: GDI, billions SAAR
-- column discrepancy_check: gdp - gdi - statistical_discrepancy, billions SAAR: zero within rounding when the three come from one NIPA vintage
-- column profits_pct_gdp: profits_after_tax / gdp, percent
-- column net_investment_pct_gdp: net_investment / gdp, percent
-- column household_saving_pct_gdp: household_saving / gdp, percent
-- column government_foreign_saving_pct_gdp: government_foreign_saving / gdp, percent
-- column dividends_pct_gdp: dividends / gdp, percent
-- column statistical_discrepancy_pct_gdp: statistical_discrepancy / gdp, percent
-- column identity_residual_pct_gdp: identity_residual / gdp, percent (full path only)
-- column discrepancy_check_pct_gdp: discrepancy_check / gdp, percent
-- column mixed_vintage: True when the series of this row's path come from different releases (staging.series_release)
-- column releases: The distinct releases of the series of this row's path, ' | '-separated
CREATE OR REPLACE TABLE marts.kalecki AS
WITH q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'CPATAX') AS cpatax,
           max(value) FILTER (WHERE series_id = 'W170RC1Q027SBEA') AS w170,
           max(value) FILTER (WHERE series_id = 'GPDI') AS gpdi,
           max(value) FILTER (WHERE series_id = 'COFC') AS cofc,
           max(value) FILTER (WHERE series_id = 'PSAVE') AS psave,
           max(value) FILTER (WHERE series_id = 'TGDEF') AS tgdef,
           max(value) FILTER (WHERE series_id = 'NETFI') AS netfi,
           max(value) FILTER (WHERE series_id = 'DIVIDEND') AS dividend,
           max(value) FILTER (WHERE series_id = 'A030RC1Q027SBEA') AS sd,
           max(value) FILTER (WHERE series_id = 'GDP') AS gdp,
           max(value) FILTER (WHERE series_id = 'GDI') AS gdi
    FROM staging.quarterly
    WHERE series_id IN ('CPATAX', 'W170RC1Q027SBEA', 'GPDI', 'COFC', 'PSAVE', 'TGDEF', 'NETFI',
                        'DIVIDEND', 'A030RC1Q027SBEA', 'GDP', 'GDI')
    GROUP BY date
), pathed AS (
    SELECT *,
           CASE WHEN w170 IS NOT NULL AND tgdef IS NOT NULL AND netfi IS NOT NULL
                THEN 'full' ELSE 'remainder' END AS path
    FROM q
), terms AS (
    SELECT date, path,
           CASE path WHEN 'full' THEN 'W170RC1Q027SBEA' ELSE 'GPDI' END AS investment_series,
           cpatax AS profits_after_tax,
           CASE path WHEN 'full' THEN w170 ELSE gpdi END AS investment,
           cofc AS fixed_capital_consumption,
           psave AS household_saving,
           CASE path WHEN 'full' THEN tgdef END AS government_saving,
           CASE path WHEN 'full' THEN -netfi END AS foreign_saving,
           dividend AS dividends, sd AS statistical_discrepancy, gdp, gdi
    FROM pathed
), closed AS (
    SELECT *, investment - fixed_capital_consumption AS net_investment,
           CASE path
               WHEN 'full' THEN government_saving + foreign_saving
               ELSE (investment - fixed_capital_consumption) - household_saving + dividends
                    - statistical_discrepancy - profits_after_tax
           END AS government_foreign_saving
    FROM terms
    WHERE profits_after_tax IS NOT NULL AND investment IS NOT NULL
      AND fixed_capital_consumption IS NOT NULL AND household_saving IS NOT NULL
      AND dividends IS NOT NULL AND statistical_discrepancy IS NOT NULL
), vintages AS (
    SELECT p.path, count(DISTINCT r.release) > 1 AS mixed_vintage,
           string_agg(DISTINCT r.release, ' | ' ORDER BY r.release) AS releases
    FROM (VALUES ('full', ['W170RC1Q027SBEA', 'TGDEF', 'NETFI', 'CPATAX', 'COFC', 'PSAVE', 'DIVIDEND', 'A030RC1Q027SBEA', 'GDP']),
                 ('remainder', ['GPDI', 'CPATAX', 'COFC', 'PSAVE', 'DIVIDEND', 'A030RC1Q027SBEA', 'GDP'])) p(path, ids)
    JOIN staging.series_release r ON list_contains(p.ids, r.series_id)
    GROUP BY p.path
), measured AS (
    SELECT c.*,
           CASE c.path WHEN 'full' THEN c.profits_after_tax
                - (c.net_investment - c.household_saving - c.government_foreign_saving
                   + c.dividends - c.statistical_discrepancy) END AS identity_residual,
           c.gdp - c.gdi - c.statistical_discrepancy AS discrepancy_check
    FROM closed c
)
SELECT m.date, m.path, m.investment_series, m.profits_after_tax, m.investment,
       m.fixed_capital_consumption, m.net_investment, m.household_saving, m.government_saving,
       m.foreign_saving, m.government_foreign_saving, m.dividends, m.statistical_discrepancy,
       m.identity_residual, m.gdp, m.gdi, m.discrepancy_check,
       100 * m.profits_after_tax / m.gdp AS profits_pct_gdp,
       100 * m.net_investment / m.gdp AS net_investment_pct_gdp,
       100 * m.household_saving / m.gdp AS household_saving_pct_gdp,
       100 * m.government_foreign_saving / m.gdp AS government_foreign_saving_pct_gdp,
       100 * m.dividends / m.gdp AS dividends_pct_gdp,
       100 * m.statistical_discrepancy / m.gdp AS statistical_discrepancy_pct_gdp,
       100 * m.identity_residual / m.gdp AS identity_residual_pct_gdp,
       100 * m.discrepancy_check / m.gdp AS discrepancy_check_pct_gdp,
       coalesce(v.mixed_vintage, false) AS mixed_vintage, v.releases
FROM measured m
LEFT JOIN vintages v USING (path)
ORDER BY m.date;
