-- Scorecard rows for claim C2 (barber-hours per TV). The claim's 8x fall in hours (200 -> 25) is split into its wage part (barber pay x4) and its price part (TV price /2); each is tested against the data over the window the data cover, and stated as a percent change over a 20-year equivalent (the measured yearly rate compounded over the claim's twenty years; x4 = +300%, /2 = -50%, /8 = -87.5%) so windows of other lengths compare with the claim. Last row: how much of the measured fall in hours came from pay (log share), against the two thirds the claim implies.
-- column claim_id: Claim id as in docs/CLAIMS.md
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states
-- column measured: The figure computed from the data (NULL when not available)
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
CREATE OR REPLACE TABLE marts.claims_c2 AS
WITH p AS (SELECT * FROM marts.c2_parameters),
b AS (SELECT * FROM marts.barber_tv_hours),
wage_w AS (  -- every year with an OEWS barber wage
    SELECT min(year) AS y0, max(year) AS y1,
           arg_min(barber_wage_mean, year) AS w0, arg_max(barber_wage_mean, year) AS w1
    FROM b WHERE barber_wage_mean IS NOT NULL
),
proxy_w AS (  -- AHETPI over the claim's own twenty years, ending in the latest year held
    SELECT max(year) - 20 AS y0, max(year) AS y1,
           max(ahetpi) FILTER (WHERE year = (SELECT max(year) FROM b WHERE ahetpi IS NOT NULL) - 20) AS w0,
           arg_max(ahetpi, year) AS w1
    FROM b WHERE ahetpi IS NOT NULL
),
ny_w AS (  -- New York metro barbers, when the live metro files were read
    SELECT min(year) AS ny_y0, max(year) AS ny_y1,
           arg_min(barber_wage_ny_mean, year) AS ny0, arg_max(barber_wage_ny_mean, year) AS ny1
    FROM b WHERE barber_wage_ny_mean IS NOT NULL
),
price_w AS (  -- every year with a TV price
    SELECT min(year) AS y0, max(year) AS y1,
           arg_min(tv_price, year) AS p0, arg_max(tv_price, year) AS p1
    FROM b WHERE tv_price IS NOT NULL
),
hours_w AS (  -- years with both: the window where the claim's own ratio can be measured
    SELECT min(year) AS y0, max(year) AS y1,
           arg_min(hours_mean, year) AS h0, arg_max(hours_mean, year) AS h1,
           arg_min(barber_wage_mean, year) AS w0, arg_max(barber_wage_mean, year) AS w1
    FROM b WHERE hours_mean IS NOT NULL
),
m AS (
    SELECT p.claimed_years AS n,
           p.claimed_end_wage / p.claimed_start_wage AS claimed_wage,
           p.claimed_end_price / p.claimed_start_price AS claimed_price,
           p.claimed_end_hours / p.claimed_start_hours AS claimed_hours,
           wage_w.*,
           power(wage_w.w1 / wage_w.w0, p.claimed_years / nullif(wage_w.y1 - wage_w.y0, 0)) AS wage20,
           ny_w.*,
           proxy_w.w0 AS a0, proxy_w.w1 AS a1, proxy_w.y0 AS a_y0, proxy_w.y1 AS a_y1,
           price_w.p0, price_w.p1, price_w.y0 AS p_y0, price_w.y1 AS p_y1,
           power(price_w.p1 / price_w.p0, p.claimed_years / nullif(price_w.y1 - price_w.y0, 0)) AS price20,
           hours_w.h0, hours_w.h1, hours_w.y0 AS h_y0, hours_w.y1 AS h_y1,
           hours_w.w0 AS hw0, hours_w.w1 AS hw1,
           power(hours_w.h1 / hours_w.h0, p.claimed_years / nullif(hours_w.y1 - hours_w.y0, 0)) AS hours20,
           100 * ln(hours_w.w1 / hours_w.w0) / nullif(ln(hours_w.h0 / hours_w.h1), 0) AS pay_share
    FROM p, wage_w, ny_w, proxy_w, price_w, hours_w
),
c AS (
    SELECT 'Twenty years ago 200 hours of a New York barber''s work bought a $2,000 TV; today 25 hours buy a better $1,000 TV.' AS claim
)
SELECT 'C2' AS claim_id, c.claim,
       'wage part: barber pay change (OEWS national mean hourly wage), 20-year equivalent' AS metric,
       100 * (m.claimed_wage - 1) AS claimed, 100 * (m.wage20 - 1) AS measured, 'percent' AS unit,
       m.y0 || '-' || m.y1 AS period,
       CASE WHEN m.wage20 IS NULL THEN 'not available'
            WHEN ln(m.wage20) >= 0.75 * ln(m.claimed_wage) THEN 'supported'
            ELSE 'not supported' END AS verdict,
       CASE WHEN m.wage20 IS NULL THEN 'No two years of OEWS barber wages are held.'
            ELSE 'Barbers'' national mean wage went from $' || round(m.w0, 2) || ' (' || m.y0 || ') to $'
                 || round(m.w1, 2) || ' (' || m.y1 || '), x' || round(m.w1 / m.w0, 2) || ', or x'
                 || round(m.wage20, 2) || ' at that pace over 20 years, against the x' || round(m.claimed_wage, 1)
                 || ' the claim needs'
                 || coalesce('; typical hourly earnings (AHETPI) went x' || round(m.a1 / m.a0, 2) || ' over '
                             || m.a_y0 || '-' || m.a_y1, '')
                 || coalesce('; New York metro barbers went x' || round(m.ny1 / m.ny0, 2) || ' over ' || m.ny_y0 || '-' || m.ny_y1,
                             '; no New York metro figure is held')
                 || '; OEWS leaves out self-employed barbers.' END AS detail
FROM m, c
UNION ALL
SELECT 'C2', c.claim,
       'price part: constant-quality TV price change (CPI televisions), 20-year equivalent',
       100 * (m.claimed_price - 1), 100 * (m.price20 - 1), 'percent', m.p_y0 || '-' || m.p_y1,
       CASE WHEN m.price20 IS NULL THEN 'not available'
            WHEN m.price20 <= m.claimed_price THEN 'supported' ELSE 'not supported' END,
       CASE WHEN m.price20 IS NULL THEN 'No CPI television index is held.'
            ELSE 'The constant-quality TV price fell to ' || round(100 * m.p1 / m.p0, 1) || '% of its '
                 || m.p_y0 || ' level by ' || m.p_y1 || ' (x' || round(m.price20, 3)
                 || ' over 20 years at that pace), far more than the claimed halving: the claim''s $1,000 is the sticker price of a better set, the CPI holds quality constant.' END
FROM m, c
UNION ALL
SELECT 'C2', c.claim,
       'barber-hours per TV change (constant-quality TV / OEWS mean wage), 20-year equivalent',
       100 * (m.claimed_hours - 1), 100 * (m.hours20 - 1), 'percent', m.h_y0 || '-' || m.h_y1,
       CASE WHEN m.hours20 IS NULL THEN 'not available'
            WHEN m.hours20 <= m.claimed_hours THEN 'supported' ELSE 'not supported' END,
       CASE WHEN m.hours20 IS NULL THEN 'No year holds both a TV price and a barber wage.'
            ELSE 'A constant-quality TV cost ' || round(m.h0, 1) || ' barber-hours in ' || m.h_y0 || ' and '
                 || round(m.h1, 1) || ' in ' || m.h_y1 || ' (x' || round(m.hours20, 4)
                 || ' over 20 years at that pace) against the claimed x' || round(m.claimed_hours, 3)
                 || '; the snapshot covers only ' || m.h_y0 || '-' || m.h_y1 || ' for this ratio.' END
FROM m, c
UNION ALL
SELECT 'C2', c.claim,
       'share of the fall in barber-hours per TV that comes from higher pay (log share)',
       100 * ln(m.claimed_wage) / ln(1 / m.claimed_hours),
       m.pay_share, 'percent', m.h_y0 || '-' || m.h_y1,
       CASE WHEN m.hours20 IS NULL OR m.wage20 IS NULL THEN 'not available'
            WHEN m.hours20 > m.claimed_hours THEN 'not supported'
            WHEN ln(m.wage20) >= 0.75 * ln(m.claimed_wage) THEN 'supported'
            ELSE 'partly supported' END,
       CASE WHEN m.hours20 IS NULL OR m.wage20 IS NULL THEN 'Wages or TV prices are missing.'
            ELSE 'Barber-hours per TV fell even faster than claimed, but ' || CAST(round(m.pay_share) AS INTEGER)
                 || '% of the fall came from pay against the two thirds the claim implies: the price part holds, the wage part does not.' END
FROM m, c;
