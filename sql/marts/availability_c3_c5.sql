-- Which analyses of claims C3-C5 can run on the data held, and why not: an analysis is available only when every series it needs is (meta.availability). The report marks the others "not available" with this reason.
-- column claim_id: Claim id (C3, C4 or C5)
-- column analysis: Analysis id (an investment-rate definition of marts.investment_rate, or steady_state, kalecki_full, kalecki_remainder, discrepancy_check, nfb_labor_share, nfc_labor_share_bls, nfc_shares_nipa, profits_gdp)
-- column label: What the analysis shows
-- column required_series: The series it needs, comma-separated
-- column missing_series: The needed series that are not available, comma-separated (NULL when none)
-- column available: True when every needed series is available
-- column reason: Why not, per missing series (NULL when available)
CREATE OR REPLACE TABLE marts.availability_c3_c5 AS
WITH analyses(claim_id, analysis, label, required_series) AS (
    VALUES
    ('C3', 'nfc_fa_gross', 'Investment rate: nonfinancial corporate fixed investment (Financial Accounts) / (net operating surplus + CFC)', 'BOGZ1FA105013005Q,W326RC1Q027SBEA,B456RC1Q027SBEA'),
    ('C3', 'nfc_fa_net', 'Investment rate, net: nonfinancial corporate fixed investment less CFC / net operating surplus', 'BOGZ1FA105013005Q,W326RC1Q027SBEA,B456RC1Q027SBEA'),
    ('C3', 'pnfi_cprofit', 'Investment rate: PNFI / (CPROFIT + COFC)', 'PNFI,CPROFIT,COFC'),
    ('C3', 'gpdi_cprofit', 'Investment rate: GPDI / (CPROFIT + COFC)', 'GPDI,CPROFIT,COFC'),
    ('C3', 'pnfi_cpatax', 'Investment rate after tax: PNFI / (CPATAX + COFC)', 'PNFI,CPATAX,COFC'),
    ('C3', 'pnfi_cp', 'Investment rate after tax, unadjusted profits: PNFI / (CP + COFC)', 'PNFI,CP,COFC'),
    ('C3', 'gpdi_net', 'Investment rate, net: (GPDI - COFC) / CPROFIT', 'GPDI,CPROFIT,COFC'),
    ('C3', 'steady_state', 'Steady-state check: nonfinancial corporate profit rate r against (g + depreciation) / investment rate', 'BOGZ1FA105013005Q,BOGZ1FL105015085Q,W326RC1Q027SBEA,B456RC1Q027SBEA'),
    ('C4', 'kalecki_full', 'Kalecki identity with government and foreign saving measured separately (residual measurable)', 'W170RC1Q027SBEA,TGDEF,NETFI,CPATAX,COFC,PSAVE,DIVIDEND,A030RC1Q027SBEA,GDP'),
    ('C4', 'kalecki_remainder', 'Kalecki identity closed with government + foreign saving as the remainder', 'GPDI,CPATAX,COFC,PSAVE,DIVIDEND,A030RC1Q027SBEA,GDP'),
    ('C4', 'discrepancy_check', 'Vintage check of the identity inputs: GDP - GDI - statistical discrepancy', 'GDP,GDI,A030RC1Q027SBEA'),
    ('C5', 'nfb_labor_share', 'Nonfarm business labor share (BLS index)', 'PRS85006173'),
    ('C5', 'nfc_labor_share_bls', 'Nonfinancial corporate labor share and unit profits (BLS indexes)', 'PRS88003173,PRS88003193'),
    ('C5', 'nfc_shares_nipa', 'Nonfinancial corporate labor and profit shares of net value added (NIPA levels)', 'A460RC1Q027SBEA,A457RC1Q027SBEA,A463RC1Q027SBEA'),
    ('C5', 'profits_gdp', 'Corporate profits / GDP', 'CPROFIT,CP,GDP')
), needs AS (
    SELECT a.claim_id, a.analysis, unnest(string_split(a.required_series, ',')) AS series_id
    FROM analyses a
), status AS (
    SELECT n.claim_id, n.analysis, n.series_id,
           coalesce(m.available, false) AS available,
           coalesce(m.reason, 'not in the catalog of this run') AS reason
    FROM needs n
    LEFT JOIN meta.availability m USING (series_id)
)
SELECT a.claim_id, a.analysis, a.label, a.required_series,
       string_agg(s.series_id, ',' ORDER BY s.series_id) FILTER (WHERE NOT s.available) AS missing_series,
       bool_and(s.available) AS available,
       string_agg(s.series_id || ': ' || s.reason, '; ' ORDER BY s.series_id) FILTER (WHERE NOT s.available) AS reason
FROM analyses a
JOIN status s USING (claim_id, analysis)
GROUP BY a.claim_id, a.analysis, a.label, a.required_series
ORDER BY a.claim_id, a.analysis;
