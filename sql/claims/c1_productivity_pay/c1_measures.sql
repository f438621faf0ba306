-- Every productivity, pay and price measure of claim C1 in nominal terms, quarterly and annual, long form: a measure is a named row set, not a column, so the variants combine them freely. Productivity rows also carry the sector's own output deflator and nominal mean hourly compensation, from which the labor share and the three wedges follow exactly. In the total economy mean compensation is compensation of employees per EMPLOYEE hour (staging.total_economy_hours), so the labor share imputes the self-employed the employees' mean pay and a rising employee share of hours does not pass for inequality.
-- column frequency: Q quarterly or A annual (annual values average four complete quarters)
-- column date: First day of the quarter or year
-- column dimension: productivity, pay or deflator
-- column measure: Measure name (described in the c1_measure_catalog mart)
-- column nominal: Productivity: nominal output per hour; pay: nominal pay (hourly, or weekly for median_weekly); deflator: the price index. Units in the c1_measure_catalog mart; only ratios over time are used
-- column output_deflator: Productivity only: the sector's output price index (nominal / output_deflator = real output per hour as published); NULL otherwise and where the deflator is not yet published
-- column mean_compensation: Productivity only: nominal mean hourly compensation in the same sector and units, so mean_compensation / nominal is proportional to the labor share (nonfarm business: COMPNFB; nonfinancial corporations: their compensation per employee hour; total economy: compensation of employees per employee hour, W209RC1 for total_economy_net, BEA_A4002C paid from the NDP's workbook for total_economy_net_bea); NULL otherwise, and where employee hours are not held (then the wedges are NULL, the growth figures stay)
CREATE OR REPLACE TABLE marts.c1_measures AS
WITH i AS (
    SELECT *, 100 * compnfb / comprnfb AS bls_consumer,
           -- BLS deflates sector compensation by one consumer price index, so NFC nominal hourly
           -- compensation is its real index times the deflator implied by COMPNFB / COMPRNFB.
           nfc_real_compensation * compnfb / comprnfb AS nfc_compensation
    FROM staging.c1_inputs
), rows AS (
    SELECT frequency, date, 'productivity' AS dimension, 'nonfarm_business' AS measure,
           ophnfb * ipdnbs / 100 AS nominal, ipdnbs AS output_deflator, compnfb AS mean_compensation
    FROM i
    UNION ALL
    SELECT frequency, date, 'productivity', 'nonfinancial_corporate',
           100 * nfc_compensation / nfc_labor_share,
           100 * (100 * nfc_compensation / nfc_labor_share) / nfc_productivity, nfc_compensation
    FROM i
    UNION ALL
    -- NDP in output prices takes the NDP price index; the GDP deflator only while it is not held.
    -- Compensation is employees' pay, so it is spread over employee hours only (issue 13: over all
    -- hours the rising employee share of hours inflated the inequality wedge).
    SELECT frequency, date, 'productivity', 'total_economy_net', ndp / hours,
           CASE WHEN (SELECT count(ndp_price) FROM staging.c1_inputs) > 0 THEN ndp_price ELSE gdpdef END,
           compensation / employee_hours
    FROM i
    UNION ALL  -- NDP, its price index and compensation paid from one BEA workbook (one vintage)
    SELECT frequency, date, 'productivity', 'total_economy_net_bea', ndp_bea / hours, ndp_price,
           compensation_paid / employee_hours
    FROM i
    UNION ALL
    SELECT frequency, date, 'pay', 'mean_compensation', compnfb, NULL, NULL FROM i
    UNION ALL
    SELECT frequency, date, 'pay', 'ahe', ahe, NULL, NULL FROM i
    UNION ALL
    SELECT frequency, date, 'pay', 'ahe_comp_ratio', ahe * compensation / wages, NULL, NULL FROM i
    UNION ALL
    SELECT frequency, date, 'pay', 'median_weekly', median_weekly_real * cpi_u / 100, NULL, NULL FROM i
    UNION ALL
    SELECT frequency, date, 'deflator', d.measure, d.nominal, NULL, NULL
    FROM i, LATERAL (VALUES ('cpi_u', cpi_u), ('cpi_u_rs', cpi_u_rs), ('chained_cpi', chained_cpi),
                            ('epi_cpi', epi_cpi), ('pce', pce), ('bls_consumer', bls_consumer),
                            ('nonfarm_output', ipdnbs), ('gdp', gdpdef)) AS d(measure, nominal)
)
SELECT * FROM rows
-- Total-economy productivity stays without employee hours (EPI's headline needs none of them).
WHERE nominal IS NOT NULL
  AND (dimension <> 'productivity' OR mean_compensation IS NOT NULL OR measure LIKE 'total_economy%')
ORDER BY dimension, measure, frequency, date;
