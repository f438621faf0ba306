-- Metric values of claim C2's services side ("local, personal services become relatively more valuable"), one row per metric and specification, in the registry's contract shape: the change since 2000 of the personal care price relative to goods (and to all items, and to TVs), of its time price in hours of average pay, and of barbers' pay against average pay (OEWS 39-5011 against AHETPI of May, first OEWS year to latest).
-- column claim_id: Claim id
-- column metric_id: Metric id (registry)
-- column specification: Readable label of the specification
-- column choice: The measurement choice this specification changes from the headline ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: Change in percent (NULL when not available)
-- column ci_low: Lower end of the interval (NULL: none)
-- column ci_high: Upper end of the interval (NULL: none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available
CREATE OR REPLACE TABLE marts.claims_c2_services AS
WITH s AS (SELECT * FROM marts.services_prices),
b AS (SELECT * FROM s WHERE year = 2000),
what AS (SELECT CASE services_series WHEN 'CUUR0000SEGC01' THEN 'haircuts (CUUR0000SEGC01)'
                     ELSE 'personal care services (CUUR0000SEGC; haircuts CUUR0000SEGC01 are not held)' END AS name FROM b),
last_goods AS (SELECT * FROM s WHERE rel_goods IS NOT NULL ORDER BY year DESC LIMIT 1),
last_all AS (SELECT * FROM s WHERE rel_all IS NOT NULL ORDER BY year DESC LIMIT 1),
last_tv AS (SELECT * FROM s WHERE rel_tv IS NOT NULL ORDER BY year DESC LIMIT 1),
last_tp AS (SELECT * FROM s WHERE time_price IS NOT NULL ORDER BY year DESC LIMIT 1),
barber AS (
    SELECT w.year, w.wage AS barber, a.value AS ahetpi_may
    FROM staging.oews_wages w
    JOIN staging.observations a ON a.series_id = 'AHETPI' AND a.date = make_date(w.year, 5, 1)
    WHERE w.soc = '39-5011' AND w.measure = 'H_MEAN' AND w.wage IS NOT NULL
), bf AS (SELECT * FROM barber ORDER BY year LIMIT 1),
bl AS (SELECT * FROM barber ORDER BY year DESC LIMIT 1),
rows AS (
    SELECT 'c2_services_vs_goods' AS metric_id, 'relative to goods (CPI commodities)' AS specification, 'headline' AS choice, true AS headline,
           100 * (l.rel_goods / b.rel_goods - 1) AS measured, '2000-' || l.year AS period,
           'The price of ' || (SELECT name FROM what) || ' rose ' || printf('%+.1f', 100 * (l.rel_goods / b.rel_goods - 1)) || '% relative to goods from 2000 to ' || l.year || '.' AS detail
    FROM b, last_goods l
    UNION ALL
    SELECT 'c2_services_vs_goods', 'relative to all items (CPI-U)', 'comparison', false,
           100 * (l.rel_all / b.rel_all - 1), '2000-' || l.year,
           'Relative to all items: ' || printf('%+.1f', 100 * (l.rel_all / b.rel_all - 1)) || '% from 2000 to ' || l.year || '.'
    FROM b, last_all l
    UNION ALL
    SELECT 'c2_services_vs_goods', 'relative to televisions (CPI TVs, quality-adjusted)', 'comparison', false,
           100 * (l.rel_tv / b.rel_tv - 1), '2000-' || l.year,
           'Relative to TVs: x' || printf('%.1f', l.rel_tv / b.rel_tv) || ' from 2000 to ' || l.year || ' (the TV index held ends there).'
    FROM b, last_tv l
    UNION ALL
    SELECT 'c2_services_time_price', 'in hours of production and nonsupervisory pay (AHETPI)', 'headline', true,
           100 * (l.time_price / b.time_price - 1), '2000-' || l.year,
           'The time price of ' || (SELECT name FROM what) || ' changed ' || printf('%+.1f', 100 * (l.time_price / b.time_price - 1))
               || '% from 2000 to ' || l.year || ' (price ' || printf('%+.1f', 100 * (l.services_price / b.services_price - 1))
               || '%, average pay ' || printf('%+.1f', 100 * (l.ahetpi / b.ahetpi - 1)) || '%): an hour of average work buys slightly more of it.'
    FROM b, last_tp l
    UNION ALL
    SELECT 'c2_barber_pay_vs_average', 'OEWS 39-5011 mean hourly wage against AHETPI (May)', 'headline', true,
           100 * ((bl.barber / bf.barber) / (bl.ahetpi_may / bf.ahetpi_may) - 1), bf.year || '-' || bl.year,
           'Barbers'' mean hourly wage went from $' || printf('%.2f', bf.barber) || ' to $' || printf('%.2f', bl.barber) || ' ('
               || printf('%+.1f', 100 * (bl.barber / bf.barber - 1)) || '%) while average hourly earnings rose '
               || printf('%+.1f', 100 * (bl.ahetpi_may / bf.ahetpi_may - 1)) || '% (OEWS excludes the self-employed, about 3 in 4 barbers).'
    FROM bf, bl WHERE bf.year < bl.year
), needed(metric_id, reason) AS (VALUES
    ('c2_services_vs_goods', 'the personal care or CPI commodities series (CUUR0000SEGC, FREDMD_CUSR0000SAC) are not held for 2000 and a later year'),
    ('c2_services_time_price', 'the personal care series or AHETPI are not held for 2000 and a later year'),
    ('c2_barber_pay_vs_average', 'fewer than two OEWS years of barbers (39-5011) with AHETPI')
), missing AS (
    SELECT n.metric_id, 'headline' AS specification, 'headline' AS choice, true AS headline, NULL::DOUBLE AS measured, NULL AS period, NULL AS detail
    FROM needed n WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = n.metric_id AND r.headline)
)
SELECT 'C2' AS claim_id, r.metric_id, r.specification, r.choice, r.headline, r.measured, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high,
       r.period, r.detail, r.measured IS NOT NULL AS available, CASE WHEN r.measured IS NULL THEN n.reason END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing) r JOIN needed n USING (metric_id)
ORDER BY r.metric_id, NOT r.headline;
