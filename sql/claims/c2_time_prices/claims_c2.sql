-- Metric values of claim C2 (barber-hours per TV), one row per metric and specification, for the verdict model and the registry's rules (claim.toml). The claim's window starts at the claim year minus 20 (the claim year is the latest year with an OEWS barber wage; DECOUPLING_C2_ANCHOR_YEAR sets the start), or at the first year after it the data hold; each change is compounded to 20 years at the measured pace so windows of other lengths compare with the claim (x4 = +300%, /2 = -50%, /8 = -87.5%). Specifications: mean vs median wage, national vs New York metro, AHETPI as a proxy, the start year, and the TV index SA/NSA.
-- column claim_id: Claim id
-- column metric_id: Metric id (registry)
-- column specification: Readable label of the specification
-- column choice: The measurement choice this specification changes from the headline ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: The figure measured (NULL when not available)
-- column ci_low: Lower end of the interval (NULL: none)
-- column ci_high: Upper end of the interval (NULL: none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available or not testable
CREATE OR REPLACE TABLE marts.claims_c2 AS
WITH p AS (SELECT * FROM marts.c2_parameters),
b AS (SELECT * FROM marts.barber_tv_hours),
yr AS (
    SELECT (SELECT max(year) FROM b WHERE barber_wage_mean IS NOT NULL) AS claim_year,
           coalesce(p.anchor_year_requested, (SELECT max(year) FROM b WHERE barber_wage_mean IS NOT NULL) - p.claimed_years) AS start_year,
           p.claimed_years AS n
    FROM p
), tv_alt AS (  -- both forms of the CPI television index, when held
    SELECT series_id, year, value FROM staging.annual WHERE series_id IN ('CUSR0000SERA01', 'CUUR0000SERA01')
), long AS (  -- (metric, specification, choice, year, value): the series each specification compares over time
    SELECT 'c2_wage_part' AS metric_id, s.spec AS specification, s.choice, b.year, s.v
    FROM b, LATERAL (VALUES ('OEWS national mean', 'headline', barber_wage_mean),
                            ('OEWS national median', 'mean vs median wage', barber_wage_median),
                            ('OEWS New York metro mean', 'national vs New York metro', barber_wage_ny_mean),
                            ('AHETPI (typical worker, proxy)', 'wage series', ahetpi)) AS s(spec, choice, v)
    UNION ALL
    SELECT 'c2_price_part', s.spec, s.choice, t.year, t.value
    FROM tv_alt t, (SELECT DISTINCT tv_series_id FROM b WHERE tv_series_id IS NOT NULL) h,
         LATERAL (VALUES (t.series_id || CASE WHEN t.series_id = h.tv_series_id THEN '' ELSE ' (other seasonal form)' END,
                          CASE WHEN t.series_id = h.tv_series_id THEN 'headline' ELSE 'TV index SA/NSA' END)) AS s(spec, choice)
    UNION ALL
    SELECT 'c2_hours_part', s.spec, s.choice, b.year, s.v
    FROM b, LATERAL (VALUES ('constant-quality TV / OEWS national mean wage', 'headline', hours_mean),
                            ('constant-quality TV / OEWS national median wage', 'mean vs median wage', hours_median),
                            ('constant-quality TV / OEWS New York metro mean wage', 'national vs New York metro', hours_ny_mean)) AS s(spec, choice, v)
), windows AS (  -- the claim's start (or the first year after it held) to the last year held
    SELECT l.metric_id, l.specification, any_value(l.choice) AS choice, yr.n,
           min(l.year) AS y0, max(l.year) AS y1, arg_min(l.v, l.year) AS v0, arg_max(l.v, l.year) AS v1
    FROM long l CROSS JOIN yr
    WHERE l.v IS NOT NULL AND l.year >= yr.start_year AND l.year <= yr.claim_year
    GROUP BY l.metric_id, l.specification, yr.n
    UNION ALL  -- the start year as a choice: the first year the TV index holds
    SELECT 'c2_price_part', l.specification || ', from the index''s first year', 'start year', yr.n,
           min(l.year), max(l.year), arg_min(l.v, l.year), arg_max(l.v, l.year)
    FROM long l CROSS JOIN yr
    WHERE l.metric_id = 'c2_price_part' AND l.choice = 'headline' AND l.v IS NOT NULL
    GROUP BY l.specification, yr.n
), changes AS (
    SELECT *, power(v1 / v0, n / nullif(y1 - y0, 0)) AS factor20 FROM windows
), share_rows AS (  -- pay's log share of the fall in hours, over the years holding both
    SELECT 'c2_pay_share' AS metric_id, w.specification, w.choice, h.y0, h.y1,
           100 * ln(w1.v / w0.v) / nullif(ln(h.v0 / h.v1), 0) AS measured
    FROM windows h
    JOIN (VALUES ('headline', 'OEWS national mean'), ('mean vs median wage', 'OEWS national median')) AS w(choice, specification)
         ON h.metric_id = 'c2_hours_part' AND h.choice = w.choice
    JOIN long w0 ON w0.metric_id = 'c2_wage_part' AND w0.specification = w.specification AND w0.year = h.y0
    JOIN long w1 ON w1.metric_id = 'c2_wage_part' AND w1.specification = w.specification AND w1.year = h.y1
    WHERE h.y1 > h.y0
), rows AS (
    SELECT metric_id, specification, choice, choice = 'headline' AS headline,
           CASE WHEN y1 > y0 THEN 100 * (factor20 - 1) END AS measured,
           y0 || '-' || y1 AS period,
           CASE metric_id
               WHEN 'c2_wage_part' THEN specification || ' went from $' || round(v0, 2) || ' (' || y0 || ') to $' || round(v1, 2)
                    || ' (' || y1 || '), x' || round(v1 / v0, 2) || ', or x' || round(factor20, 2)
                    || ' over 20 years at that pace, against the claim''s $10 -> $40 (x4) for a New York barber; OEWS leaves out self-employed barbers.'
               WHEN 'c2_price_part' THEN 'The constant-quality TV price (' || specification || ') fell to ' || round(100 * v1 / v0, 1) || '% of its '
                    || y0 || ' level by ' || y1 || ' (x' || round(factor20, 3) || ' over 20 years at that pace), against the claimed halving: the claim''s $1,000 is the sticker price of a better set, the CPI holds quality constant.'
               ELSE 'A constant-quality TV cost ' || round(v0, 1) || ' barber-hours in ' || y0 || ' and ' || round(v1, 1) || ' in ' || y1
                    || ' (' || specification || '; x' || round(factor20, 4) || ' over 20 years at that pace) against the claimed /8.'
           END AS detail
    FROM changes
    UNION ALL
    SELECT metric_id, specification, choice, choice = 'headline', measured, y0 || '-' || y1,
           'Over ' || y0 || '-' || y1 || ' pay (' || specification || ') accounts for ' || round(measured, 1)
               || '% of the log fall in barber-hours per TV, against the two thirds the claim implies.'
    FROM share_rows
), expected(metric_id, specification, choice) AS (VALUES
    ('c2_wage_part', 'OEWS national mean', 'headline'),
    ('c2_wage_part', 'OEWS New York metro mean', 'national vs New York metro'),
    ('c2_price_part', 'CPI televisions', 'headline'),
    ('c2_price_part', 'CPI televisions, other seasonal form', 'TV index SA/NSA'),
    ('c2_hours_part', 'constant-quality TV / OEWS national mean wage', 'headline'),
    ('c2_pay_share', 'OEWS national mean', 'headline')
), missing AS (  -- a specification the data cannot give still gets a row, saying why
    SELECT e.metric_id, e.specification, e.choice, e.choice = 'headline' AS headline, NULL::DOUBLE AS measured,
           NULL AS period, NULL AS detail
    FROM expected e WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = e.metric_id AND r.choice = e.choice)
)
SELECT 'C2' AS claim_id, metric_id, specification, choice, headline, measured,
       NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high, period,
       detail || ' Window: from ' || (SELECT start_year FROM yr) || ' (claim year ' || (SELECT claim_year FROM yr)
           || ' minus 20, or the first year after it held).' AS detail,
       measured IS NOT NULL AS available,
       CASE WHEN measured IS NULL THEN CASE choice
            WHEN 'national vs New York metro' THEN 'no New York metro OEWS barber wages are held (they come from the live metro files)'
            WHEN 'TV index SA/NSA' THEN 'only one seasonal form of the CPI television index is held'
            ELSE 'no two years with both figures are held after the claim''s start' END END AS reason
FROM (SELECT * FROM rows UNION ALL SELECT * FROM missing);
