-- The inputs of the productivity-pay analysis (claim C1), one row per period, quarterly (Q) and annual (A). Quarterly values are published quarters or averages of three months; annual values average four complete quarters. Annual production/nonsupervisory hourly earnings before 1964 come from the discontinued SIC-basis series (EEU00500006_ANNUAL) ratio-linked to AHETPI in 1964, as EPI does; there is no quarterly value before 1964. The CPI-U-RS is linked back with CPI-U before December 1977 (staging.cpi_u_rs_linked), as EPI and Bivens & Mishel (2015) do.
-- column frequency: Q quarterly or A annual
-- column date: First day of the quarter or year
-- column ophnfb [index 2017=100; BLS Productivity and Costs, OPHNFB]: Nonfarm business output per hour (OPHNFB)
-- column ipdnbs [index 2017=100; BLS Productivity and Costs, IPDNBS]: Nonfarm business implicit price deflator (IPDNBS)
-- column compnfb [index 2017=100; BLS Productivity and Costs, COMPNFB]: Nonfarm business hourly compensation, nominal (COMPNFB)
-- column comprnfb [index 2017=100; BLS Productivity and Costs, COMPRNFB]: Nonfarm business real hourly compensation, BLS consumer deflator (COMPRNFB)
-- column nfc_productivity [index 2017=100; BLS Productivity and Costs, PRS88003093]: Nonfinancial corporations output per hour (PRS88003093)
-- column nfc_real_compensation [index 2017=100; BLS Productivity and Costs, PRS88003153]: Nonfinancial corporations real hourly compensation (PRS88003153)
-- column nfc_labor_share [index 2017=100; BLS Productivity and Costs, PRS88003173]: Nonfinancial corporations labor share (PRS88003173)
-- column ndp [billions of dollars, annual rate; BEA NIPA table 1.7.5 line 30]: Net domestic product (NIPA table 1.7.5 line 30)
-- column hours [billions of hours, annual rate; BLS total-economy hours]: Total-economy hours of all workers (BLS)
-- column employee_hours [billions of hours, annual rate; staging.total_economy_hours]: Total-economy hours of employees (TOTAL_ECONOMY_HOURS_EMPLOYEES: all workers less nonfarm proprietors, unpaid family workers and farm; same BLS file as hours)
-- column compensation [billions of dollars, annual rate; BEA NIPA table 2.1 line 2]: Compensation of employees (NIPA table 2.1 line 2, W209RC1)
-- column wages [billions of dollars, annual rate; BEA NIPA table 2.1 line 3]: Wages and salaries (NIPA table 2.1 line 3, A576RC1)
-- column ahe [dollars per hour; BLS CES, AHETPI]: Average hourly earnings of production and nonsupervisory employees (AHETPI; annual before 1964 spliced from EEU00500006_ANNUAL)
-- column median_weekly_real [1982-84 CPI-U dollars per week; BLS CPS, LES1252881600Q]: Median usual weekly real earnings of full-time wage and salary workers (LES1252881600Q)
-- column cpi_u [index 1982-84=100; BLS CPI, CPIAUCSL]: CPI-U all items, seasonally adjusted (CPIAUCSL)
-- column cpi_u_rs [index December 1977=100; staging.cpi_u_rs_linked]: CPI-U-RS all items (CPI_U_RS), CPI-U (CPIAUCNS) growth before December 1977
-- column chained_cpi [index December 1999=100; BLS CPI, SUUR0000SA0]: Chained CPI-U (SUUR0000SA0)
-- column epi_cpi [index December 1999=100; staging.extended_cpi]: EPI's extended chained CPI-U (staging.extended_cpi)
-- column pce [index 2017=100; BEA, PCEPI]: PCE chain-type price index (PCEPI)
-- column gdpdef [index 2017=100; BEA, GDPDEF]: GDP implicit price deflator (GDPDEF)
-- column ndp_bea: Net domestic product from the BEA Section 1 workbook (NIPA table 1.7.5 line 30, BEA_A362RC), billions of dollars, annual rate: the same vintage as ndp_price
-- column ndp_price: NDP price index (NIPA table 1.7.4 line 11, BEA_A362RG), index 2017=100
-- column compensation_paid [billions of dollars, annual rate; BEA NIPA table 1.10 line 2, BEA_A4002C]: Compensation of employees paid by domestic employers, from the same BEA Section 1 workbook as ndp_bea
CREATE OR REPLACE VIEW staging.c1_inputs AS
WITH ql AS (
    SELECT series_id, date, value FROM staging.quarterly
    WHERE series_id IN ('OPHNFB', 'IPDNBS', 'COMPNFB', 'COMPRNFB', 'PRS88003093', 'PRS88003153',
                        'PRS88003173', 'NIPA_T10705_L30_NDP', 'TOTAL_ECONOMY_HOURS_ALL_WORKERS',
                        'W209RC1', 'A576RC1', 'AHETPI', 'LES1252881600Q', 'CPIAUCSL',
                        'SUUR0000SA0', 'PCEPI', 'GDPDEF', 'BEA_A362RC', 'BEA_A362RG', 'BEA_A4002C')
    UNION ALL
    SELECT 'TOTAL_ECONOMY_HOURS_EMPLOYEES', date, employees FROM staging.total_economy_hours
    WHERE employees IS NOT NULL
    UNION ALL
    SELECT 'CPI_U_RS', CAST(date_trunc('quarter', date) AS DATE), avg(value)
    FROM staging.cpi_u_rs_linked
    GROUP BY date_trunc('quarter', date)
    HAVING count(*) = 3
    UNION ALL
    SELECT 'EPI_CPI', CAST(date_trunc('quarter', date) AS DATE), avg(value)
    FROM staging.extended_cpi
    GROUP BY date_trunc('quarter', date)
    HAVING count(*) = 3
), al AS (
    SELECT series_id, make_date(year(date), 1, 1) AS date, avg(value) AS value
    FROM ql GROUP BY series_id, year(date) HAVING count(*) = 4
), ahe_link AS (
    SELECT a.value / e.value AS factor
    FROM al a JOIN staging.annual e ON e.series_id = 'EEU00500006_ANNUAL' AND e.year = 1964
    WHERE a.series_id = 'AHETPI' AND a.date = DATE '1964-01-01'
), long AS (
    SELECT 'Q' AS frequency, * FROM ql
    UNION ALL
    SELECT 'A', * FROM al
    UNION ALL
    SELECT 'A', 'AHETPI', make_date(e.year, 1, 1), e.value * ahe_link.factor
    FROM staging.annual e, ahe_link
    WHERE e.series_id = 'EEU00500006_ANNUAL' AND e.year < 1964
)
SELECT frequency, date,
       max(value) FILTER (WHERE series_id = 'OPHNFB') AS ophnfb,
       max(value) FILTER (WHERE series_id = 'IPDNBS') AS ipdnbs,
       max(value) FILTER (WHERE series_id = 'COMPNFB') AS compnfb,
       max(value) FILTER (WHERE series_id = 'COMPRNFB') AS comprnfb,
       max(value) FILTER (WHERE series_id = 'PRS88003093') AS nfc_productivity,
       max(value) FILTER (WHERE series_id = 'PRS88003153') AS nfc_real_compensation,
       max(value) FILTER (WHERE series_id = 'PRS88003173') AS nfc_labor_share,
       max(value) FILTER (WHERE series_id = 'NIPA_T10705_L30_NDP') AS ndp,
       max(value) FILTER (WHERE series_id = 'TOTAL_ECONOMY_HOURS_ALL_WORKERS') AS hours,
       max(value) FILTER (WHERE series_id = 'TOTAL_ECONOMY_HOURS_EMPLOYEES') AS employee_hours,
       max(value) FILTER (WHERE series_id = 'W209RC1') AS compensation,
       max(value) FILTER (WHERE series_id = 'A576RC1') AS wages,
       max(value) FILTER (WHERE series_id = 'AHETPI') AS ahe,
       max(value) FILTER (WHERE series_id = 'LES1252881600Q') AS median_weekly_real,
       max(value) FILTER (WHERE series_id = 'CPIAUCSL') AS cpi_u,
       max(value) FILTER (WHERE series_id = 'CPI_U_RS') AS cpi_u_rs,
       max(value) FILTER (WHERE series_id = 'SUUR0000SA0') AS chained_cpi,
       max(value) FILTER (WHERE series_id = 'EPI_CPI') AS epi_cpi,
       max(value) FILTER (WHERE series_id = 'PCEPI') AS pce,
       max(value) FILTER (WHERE series_id = 'GDPDEF') AS gdpdef,
       max(value) FILTER (WHERE series_id = 'BEA_A362RC') / 1000.0 AS ndp_bea,
       max(value) FILTER (WHERE series_id = 'BEA_A362RG') AS ndp_price,
       max(value) FILTER (WHERE series_id = 'BEA_A4002C') / 1000.0 AS compensation_paid
FROM long
GROUP BY frequency, date;
