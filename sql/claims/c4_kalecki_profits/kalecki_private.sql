-- Kalecki's private terms (C4) with depreciation scopes matched, quarterly: every NIPA term from one BEA Section 1 workbook (one vintage; millions converted to billions), household saving from PSAVE (Section 1 holds no saving, so that one term comes from another release, labelled). Private terms = gross private domestic investment - private (or total) consumption of fixed capital - household saving + dividends - statistical discrepancy; their share of profits after tax is what the claim needs near 100%.
-- column date: First day of the quarter
-- column profits_after_tax: Corporate profits after tax with IVA and CCAdj (NIPA 1.12 line 15, A551RC), billions SAAR
-- column gpdi: Gross private domestic investment (NIPA 1.1.5 line 7, A006RC), billions SAAR
-- column cfc_private: Private consumption of fixed capital (NIPA 1.7.5 line 6, A024RC), billions SAAR
-- column cfc_total: Consumption of fixed capital, total economy (NIPA 1.7.5 line 5, A262RC), billions SAAR
-- column cfc_government: Government consumption of fixed capital (NIPA 1.7.5 line 11, A264RC), billions SAAR
-- column dividends: Net corporate dividends (NIPA 1.12 line 16, B056RC), billions SAAR
-- column statistical_discrepancy: Statistical discrepancy, GDP less GDI (NIPA 1.7.5 line 15, A030RC; FRED's A030RC1Q027SBEA when the workbook line is not held), billions SAAR
-- column household_saving: Personal saving (PSAVE, NIPA 2.1), billions SAAR: another release than the workbook
-- column private_terms: gpdi - cfc_private - household_saving + dividends - statistical_discrepancy, billions SAAR
-- column private_share_pct: private_terms / profits_after_tax, percent
-- column private_share_total_cfc_pct: the same with total-economy depreciation (government and housing included), percent
-- column private_share_no_sd_pct: private terms with private depreciation, without the statistical discrepancy, percent
-- column government_cfc_pct: cfc_government / profits_after_tax, percent
-- column releases: The distinct releases of the series used, ' | '-separated
CREATE OR REPLACE TABLE marts.kalecki_private AS
WITH q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'BEA_A551RC') / 1000.0 AS profits_after_tax,
           max(value) FILTER (WHERE series_id = 'BEA_A006RC') / 1000.0 AS gpdi,
           max(value) FILTER (WHERE series_id = 'BEA_A024RC') / 1000.0 AS cfc_private,
           max(value) FILTER (WHERE series_id = 'BEA_A262RC') / 1000.0 AS cfc_total,
           max(value) FILTER (WHERE series_id = 'BEA_A264RC') / 1000.0 AS cfc_government,
           max(value) FILTER (WHERE series_id = 'BEA_B056RC') / 1000.0 AS dividends,
           -- The workbook's line 15 when wired, else FRED's copy (another release, then labelled).
           coalesce(max(value) FILTER (WHERE series_id = 'BEA_A030RC') / 1000.0,
                    max(value) FILTER (WHERE series_id = 'A030RC1Q027SBEA')) AS statistical_discrepancy,
           max(value) FILTER (WHERE series_id = 'PSAVE') AS household_saving
    FROM staging.quarterly
    WHERE series_id IN ('BEA_A551RC', 'BEA_A006RC', 'BEA_A024RC', 'BEA_A262RC', 'BEA_A264RC',
                        'BEA_B056RC', 'BEA_A030RC', 'A030RC1Q027SBEA', 'PSAVE')
    GROUP BY date
), releases AS (
    SELECT string_agg(DISTINCT release, ' | ' ORDER BY release) AS releases
    FROM staging.series_release
    WHERE series_id IN ('BEA_A551RC', 'BEA_A006RC', 'BEA_A024RC', 'BEA_A262RC', 'BEA_A264RC',
                        'BEA_B056RC', 'PSAVE')
       OR series_id = CASE WHEN EXISTS (SELECT 1 FROM staging.observations WHERE series_id = 'BEA_A030RC')
                           THEN 'BEA_A030RC' ELSE 'A030RC1Q027SBEA' END
)
SELECT q.date, q.profits_after_tax, q.gpdi, q.cfc_private, q.cfc_total, q.cfc_government, q.dividends,
       q.statistical_discrepancy, q.household_saving,
       q.gpdi - q.cfc_private - q.household_saving + q.dividends - q.statistical_discrepancy AS private_terms,
       100 * (q.gpdi - q.cfc_private - q.household_saving + q.dividends - q.statistical_discrepancy) / q.profits_after_tax AS private_share_pct,
       100 * (q.gpdi - q.cfc_total - q.household_saving + q.dividends - q.statistical_discrepancy) / q.profits_after_tax AS private_share_total_cfc_pct,
       100 * (q.gpdi - q.cfc_private - q.household_saving + q.dividends) / q.profits_after_tax AS private_share_no_sd_pct,
       100 * q.cfc_government / q.profits_after_tax AS government_cfc_pct,
       r.releases
FROM q CROSS JOIN releases r
WHERE q.profits_after_tax IS NOT NULL AND q.gpdi IS NOT NULL AND q.cfc_private IS NOT NULL
  AND q.cfc_total IS NOT NULL AND q.cfc_government IS NOT NULL AND q.dividends IS NOT NULL
  AND q.statistical_discrepancy IS NOT NULL AND q.household_saving IS NOT NULL
ORDER BY q.date;
