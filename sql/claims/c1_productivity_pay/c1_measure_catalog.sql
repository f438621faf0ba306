-- The measures of claim C1 and what each is: productivity, pay and deflator choices, their definitions, source series and the periods they cover in the warehouse.
-- column dimension: productivity, pay or deflator
-- column measure: Measure name, as used in variant names
-- column label: Short label for charts
-- column definition: What it measures and how it is built
-- column series: Source series ids
-- column first_quarter: First quarter held (YYYYQn)
-- column last_quarter: Last quarter held (YYYYQn)
-- column first_year: First complete year held
-- column last_year: Last complete year held
CREATE OR REPLACE TABLE marts.c1_measure_catalog AS
WITH defs(dimension, measure, label, definition, series) AS (VALUES
    ('productivity', 'nonfarm_business', 'Nonfarm business output per hour', 'Real output per hour of all workers in the nonfarm business sector (BLS); nominal = OPHNFB x IPDNBS; gross of depreciation', 'OPHNFB, IPDNBS, COMPNFB'),
    ('productivity', 'nonfinancial_corporate', 'Nonfinancial corporate output per hour', 'Real output per hour of employees of nonfinancial corporations (BLS); nominal = nominal hourly compensation / labor share, the compensation being PRS88003153 x COMPNFB / COMPRNFB', 'PRS88003093, PRS88003153, PRS88003173, COMPNFB, COMPRNFB'),
    ('productivity', 'total_economy_net', 'Net productivity, total economy', 'EPI definition: net domestic product (EPI''s January 2026 pull) / total-economy hours of all workers; output prices: the NDP price index (NIPA 1.7.4 line 11, BEA workbook of August 2024: a mixed vintage, labelled), the GDP deflator only when the workbook is not held; mean compensation for the wedges: compensation of employees (W209RC1) / employee hours (all workers less nonfarm proprietors, unpaid family workers and farm, one BLS file)', 'NIPA_T10705_L30_NDP, TOTAL_ECONOMY_HOURS_ALL_WORKERS, W209RC1, TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS, TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS, TOTAL_ECONOMY_HOURS_FARM, BEA_A362RG, GDPDEF'),
    ('productivity', 'total_economy_net_bea', 'Net productivity, total economy (one BEA vintage)', 'Net domestic product / total-economy hours of all workers with NDP and the NDP price index from one BEA Section 1 workbook (NIPA 1.7.5 line 30, 1.7.4 line 11); mean compensation for the wedges: compensation of employees paid (NIPA 1.10 line 2, same workbook) / employee hours (all workers less nonfarm proprietors, unpaid family workers and farm, one BLS file)', 'BEA_A362RC, BEA_A362RG, BEA_A4002C, TOTAL_ECONOMY_HOURS_ALL_WORKERS, TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS, TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS, TOTAL_ECONOMY_HOURS_FARM'),
    ('pay', 'mean_compensation', 'Mean hourly compensation (nonfarm business)', 'Hourly compensation of all nonfarm business workers, nominal; with the bls_consumer deflator it is COMPRNFB as BLS publishes it', 'COMPNFB'),
    ('pay', 'ahe', 'Production/nonsupervisory hourly earnings', 'Average hourly earnings of production and nonsupervisory employees, total private; wages only', 'AHETPI, EEU00500006_ANNUAL'),
    ('pay', 'ahe_comp_ratio', 'Production/nonsupervisory hourly compensation', 'EPI typical-worker pay: AHETPI x the NIPA compensation/wages ratio (benefits added)', 'AHETPI, W209RC1, A576RC1'),
    ('pay', 'median_weekly', 'Median weekly earnings (full time)', 'Median usual weekly earnings of full-time wage and salary workers; nominal = the published real value x CPI-U', 'LES1252881600Q, CPIAUCSL'),
    ('deflator', 'cpi_u', 'CPI-U', 'Consumer price index for all urban consumers, seasonally adjusted', 'CPIAUCSL'),
    ('deflator', 'cpi_u_rs', 'CPI-U-RS', 'CPI research series using current methods from December 1977, CPI-U (not seasonally adjusted) before, ratio-linked (staging.cpi_u_rs_linked), as EPI until 2024 and Bivens & Mishel (2015)', 'CPI_U_RS, CPIAUCNS'),
    ('deflator', 'chained_cpi', 'Chained CPI-U', 'Chained CPI-U (from December 1999)', 'SUUR0000SA0'),
    ('deflator', 'epi_cpi', 'Extended chained CPI (EPI)', 'C-CPI-U from December 1999, CPI-U-RS 1978-1999, CPI-U before, ratio-linked (staging.extended_cpi)', 'SUUR0000SA0, CPI_U_RS, CPIAUCNS'),
    ('deflator', 'pce', 'PCE price index', 'Personal consumption expenditures chain-type price index (monthly, from 1959)', 'PCEPI'),
    ('deflator', 'bls_consumer', 'BLS consumer deflator', 'The consumer price deflator BLS uses for real hourly compensation, implied by COMPNFB / COMPRNFB', 'COMPNFB, COMPRNFB'),
    ('deflator', 'nonfarm_output', 'Nonfarm business output deflator', 'Implicit price deflator of nonfarm business output (pay in producer prices, as Feldstein 2008)', 'IPDNBS'),
    ('deflator', 'gdp', 'GDP deflator', 'GDP implicit price deflator', 'GDPDEF')
), span AS (
    SELECT dimension, measure,
           min(date) FILTER (WHERE frequency = 'Q') AS fq, max(date) FILTER (WHERE frequency = 'Q') AS lq,
           min(year(date)) FILTER (WHERE frequency = 'A') AS first_year,
           max(year(date)) FILTER (WHERE frequency = 'A') AS last_year
    FROM marts.c1_measures GROUP BY dimension, measure
)
SELECT d.dimension, d.measure, d.label, d.definition, d.series,
       year(s.fq) || 'Q' || quarter(s.fq) AS first_quarter, year(s.lq) || 'Q' || quarter(s.lq) AS last_quarter,
       s.first_year, s.last_year
FROM defs d LEFT JOIN span s USING (dimension, measure)
ORDER BY CASE d.dimension WHEN 'productivity' THEN 1 WHEN 'pay' THEN 2 ELSE 3 END, d.measure;
