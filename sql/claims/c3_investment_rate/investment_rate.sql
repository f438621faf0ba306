-- Investment rates (C3), quarterly, several named definitions side by side (long format): gross investment over gross profit (profits plus consumption of fixed capital), an after-tax variant and net variants (investment less depreciation over net profit). Financial Accounts series (millions) are converted to billions. A definition whose series are missing has no rows; the mart availability_c3_c5 says why.
-- column date: First day of the quarter
-- column definition: Definition id (nfc_fa_gross, nfc_fa_net, pnfi_cprofit, gpdi_cprofit, pnfi_cpatax, pnfi_cp, gpdi_net; one BEA workbook: pnfi_corporate, gpdi_corporate, pnfi_nonfinancial)
-- column label: What the definition divides by what
-- column variant: gross, after tax, or net
-- column investment: Numerator, billions of dollars SAAR
-- column profit_base: Denominator, billions of dollars SAAR
-- column rate: Investment rate, investment / profit_base (0.5 = half of the profit base is invested)
-- column series_ids: The series used, comma-separated
-- column mixed_vintage: True when the series used come from different releases (staging.series_release), so the ratio mixes vintages
-- column releases: The distinct releases of the series used, ' | '-separated
CREATE OR REPLACE TABLE marts.investment_rate AS
WITH q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'BOGZ1FA105013005Q') / 1000.0 AS nfc_inv,
           max(value) FILTER (WHERE series_id = 'W326RC1Q027SBEA') AS nfc_nos,
           max(value) FILTER (WHERE series_id = 'B456RC1Q027SBEA') AS nfc_cfc,
           max(value) FILTER (WHERE series_id = 'PNFI') AS pnfi,
           max(value) FILTER (WHERE series_id = 'GPDI') AS gpdi,
           max(value) FILTER (WHERE series_id = 'CPROFIT') AS cprofit,
           max(value) FILTER (WHERE series_id = 'CPATAX') AS cpatax,
           max(value) FILTER (WHERE series_id = 'CP') AS cp,
           max(value) FILTER (WHERE series_id = 'COFC') AS cofc,
           -- One BEA Section 1 workbook (one vintage), millions of dollars converted to billions.
           max(value) FILTER (WHERE series_id = 'BEA_A008RC') / 1000.0 AS bea_pnfi,
           max(value) FILTER (WHERE series_id = 'BEA_A006RC') / 1000.0 AS bea_gpdi,
           max(value) FILTER (WHERE series_id = 'BEA_A051RC') / 1000.0 AS bea_profits,
           max(value) FILTER (WHERE series_id = 'BEA_A438RC') / 1000.0 AS bea_corp_cfc,
           max(value) FILTER (WHERE series_id = 'BEA_A463RC') / 1000.0 AS bea_nfc_profits,
           max(value) FILTER (WHERE series_id = 'BEA_B456RC') / 1000.0 AS bea_nfc_cfc
    FROM staging.quarterly
    WHERE series_id IN ('BOGZ1FA105013005Q', 'W326RC1Q027SBEA', 'B456RC1Q027SBEA', 'PNFI', 'GPDI',
                        'CPROFIT', 'CPATAX', 'CP', 'COFC', 'BEA_A008RC', 'BEA_A006RC', 'BEA_A051RC',
                        'BEA_A438RC', 'BEA_A463RC', 'BEA_B456RC')
    GROUP BY date
), defs AS (
    SELECT date, 'nfc_fa_gross' AS definition,
           'Nonfinancial corporate gross fixed investment (Financial Accounts) / (net operating surplus + consumption of fixed capital)' AS label,
           'gross' AS variant, nfc_inv AS investment, nfc_nos + nfc_cfc AS profit_base,
           'BOGZ1FA105013005Q,W326RC1Q027SBEA,B456RC1Q027SBEA' AS series_ids
    FROM q
    UNION ALL
    SELECT date, 'nfc_fa_net',
           'Nonfinancial corporate fixed investment less consumption of fixed capital / net operating surplus',
           'net', nfc_inv - nfc_cfc, nfc_nos, 'BOGZ1FA105013005Q,W326RC1Q027SBEA,B456RC1Q027SBEA'
    FROM q
    UNION ALL
    SELECT date, 'pnfi_cprofit',
           'Private nonresidential fixed investment / (corporate profits with IVA and CCAdj + consumption of fixed capital)',
           'gross', pnfi, cprofit + cofc, 'PNFI,CPROFIT,COFC'
    FROM q
    UNION ALL
    SELECT date, 'gpdi_cprofit',
           'Gross private domestic investment / (corporate profits with IVA and CCAdj + consumption of fixed capital)',
           'gross', gpdi, cprofit + cofc, 'GPDI,CPROFIT,COFC'
    FROM q
    UNION ALL
    SELECT date, 'pnfi_cpatax',
           'Private nonresidential fixed investment / (profits after tax with IVA and CCAdj + consumption of fixed capital)',
           'after tax', pnfi, cpatax + cofc, 'PNFI,CPATAX,COFC'
    FROM q
    UNION ALL
    SELECT date, 'pnfi_cp',
           'Private nonresidential fixed investment / (profits after tax without IVA and CCAdj + consumption of fixed capital)',
           'after tax', pnfi, cp + cofc, 'PNFI,CP,COFC'
    FROM q
    UNION ALL
    SELECT date, 'gpdi_net',
           'Gross private domestic investment less consumption of fixed capital / corporate profits with IVA and CCAdj',
           'net', gpdi - cofc, cprofit, 'GPDI,CPROFIT,COFC'
    FROM q
    UNION ALL  -- scopes matched: corporate profits with corporate depreciation, all from one workbook
    SELECT date, 'pnfi_corporate',
           'Private nonresidential fixed investment / (corporate profits with IVA and CCAdj + corporate consumption of fixed capital), one BEA workbook',
           'gross', bea_pnfi, bea_profits + bea_corp_cfc, 'BEA_A008RC,BEA_A051RC,BEA_A438RC'
    FROM q
    UNION ALL
    SELECT date, 'gpdi_corporate',
           'Gross private domestic investment / (corporate profits with IVA and CCAdj + corporate consumption of fixed capital), one BEA workbook',
           'gross', bea_gpdi, bea_profits + bea_corp_cfc, 'BEA_A006RC,BEA_A051RC,BEA_A438RC'
    FROM q
    UNION ALL
    SELECT date, 'pnfi_nonfinancial',
           'Private nonresidential fixed investment / (nonfinancial corporate profits with IVA and CCAdj + nonfinancial corporate consumption of fixed capital), one BEA workbook',
           'gross', bea_pnfi, bea_nfc_profits + bea_nfc_cfc, 'BEA_A008RC,BEA_A463RC,BEA_B456RC'
    FROM q
), vintages AS (
    SELECT d.definition,
           count(DISTINCT r.release) > 1 AS mixed_vintage,
           string_agg(DISTINCT r.release, ' | ' ORDER BY r.release) AS releases
    FROM (SELECT DISTINCT definition, series_ids FROM defs) d
    JOIN staging.series_release r ON list_contains(string_split(d.series_ids, ','), r.series_id)
    GROUP BY d.definition
)
SELECT d.date, d.definition, d.label, d.variant, d.investment, d.profit_base,
       d.investment / nullif(d.profit_base, 0) AS rate, d.series_ids,
       coalesce(v.mixed_vintage, false) AS mixed_vintage, v.releases
FROM defs d
LEFT JOIN vintages v USING (definition)
WHERE d.investment IS NOT NULL AND d.profit_base IS NOT NULL
ORDER BY d.definition, d.date;
