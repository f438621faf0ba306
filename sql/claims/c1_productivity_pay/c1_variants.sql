-- Every way of measuring the productivity-pay gap of claim C1: each combination of productivity measure, productivity prices, pay measure and deflator (named productivity|prices|pay|deflator), plus the named variants analysts quote (epi, bls, feldstein, ...), which are aliases of combinations.
-- column variant: Variant name: a named variant, or productivity|productivity_prices|pay|deflator
-- column named: True for the named variants quoted in the literature, false for the plain combinations
-- column productivity: Productivity measure (marts.c1_measure_catalog)
-- column productivity_prices: consumer = productivity deflated by the same deflator as pay; output = real output per hour in the sector's own output prices, as BLS publishes it
-- column pay: Pay measure (marts.c1_measure_catalog)
-- column deflator: Deflator of pay (and of productivity when productivity_prices = consumer)
-- column description: What the variant is and who uses it
CREATE OR REPLACE TABLE marts.c1_variants AS
WITH p AS (SELECT measure FROM marts.c1_measure_catalog WHERE dimension = 'productivity'),
     w AS (SELECT measure FROM marts.c1_measure_catalog WHERE dimension = 'pay'),
     d AS (SELECT measure FROM marts.c1_measure_catalog WHERE dimension = 'deflator'),
     prices(productivity_prices) AS (VALUES ('consumer'), ('output')),
     named(variant, productivity, productivity_prices, pay, deflator, description) AS (VALUES
    ('epi', 'total_economy_net', 'consumer', 'ahe_comp_ratio', 'epi_cpi', 'EPI method since late 2024: net productivity (NDP / total-economy hours) and production/nonsupervisory compensation, both deflated by the extended chained CPI'),
    ('epi_pre2024', 'total_economy_net', 'output', 'ahe_comp_ratio', 'cpi_u_rs', 'EPI method until 2024: net productivity in output prices (NDP price index; NDP of January 2026 over the August 2024 price index, a mixed vintage), pay deflated by CPI-U-RS'),
    ('epi_pre2024_one_vintage', 'total_economy_net_bea', 'output', 'ahe_comp_ratio', 'cpi_u_rs', 'EPI method until 2024 on one BEA vintage: NDP, the NDP price index and compensation paid from the same Section 1 workbook, pay deflated by CPI-U-RS (CPI-U before 1978); the scopes of Bivens & Mishel (2015), whose wedge split it reproduces'),
    ('epi_output_prices', 'total_economy_net', 'output', 'ahe_comp_ratio', 'epi_cpi', 'Bivens & Mishel (2015) framing: net productivity in output prices, typical compensation in consumer prices (extended CPI, which reaches back before 1978)'),
    ('bls', 'nonfarm_business', 'output', 'mean_compensation', 'bls_consumer', 'The BLS published pair: nonfarm business output per hour (OPHNFB) vs real hourly compensation (COMPRNFB)'),
    ('feldstein', 'nonfarm_business', 'output', 'mean_compensation', 'nonfarm_output', 'Feldstein (2008): mean compensation deflated by the same output deflator as productivity'),
    ('typical_cpi_u', 'nonfarm_business', 'output', 'ahe', 'cpi_u', 'The popular chart: nonfarm business output per hour vs production/nonsupervisory hourly earnings deflated by CPI-U'),
    ('median_weekly', 'nonfarm_business', 'output', 'median_weekly', 'cpi_u', 'Nonfarm business output per hour vs median weekly earnings of full-time workers (CPI-U, as BLS publishes them)')
)
SELECT p.measure || '|' || prices.productivity_prices || '|' || w.measure || '|' || d.measure AS variant,
       false AS named, p.measure AS productivity, prices.productivity_prices, w.measure AS pay,
       d.measure AS deflator,
       'Combination: ' || p.measure || ' productivity in ' || prices.productivity_prices || ' prices, '
           || w.measure || ' pay, deflated by ' || d.measure AS description
FROM p, prices, w, d
UNION ALL
SELECT variant, true, productivity, productivity_prices, pay, deflator, description FROM named
ORDER BY named DESC, variant;
