-- Metric values of claim C1 (the productivity-pay gap since 1979), one row per metric and specification, for the verdict model (marts.claim_verdicts) and the registry's rules (sql/claims/c1_productivity_pay/claim.toml). Headline: the EPI method (NDP per hour and production/nonsupervisory compensation, extended chained CPI), 1979Q4 to its latest quarter; the other specifications are the combinations of the multiverse (marts.c1_multiverse from 1979Q4; the gap rate on the window every combination holds).
-- column claim_id: Claim id (C1)
-- column metric_id: Metric id (registry)
-- column specification: Readable label of the specification
-- column choice: The measurement choice(s) this specification changes from the headline ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: The figure measured
-- column ci_low: Lower end of an interval (NULL: none)
-- column ci_high: Upper end of an interval (NULL: none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column available: False when the inputs are not held
-- column reason: Why not available
CREATE OR REPLACE TABLE marts.claims_c1 AS
WITH mv AS (
    SELECT *,
           productivity = 'total_economy_net' AND productivity_prices = 'consumer'
               AND pay = 'ahe_comp_ratio' AND deflator = 'epi_cpi' AS is_epi,
           concat_ws(' + ', CASE WHEN productivity <> 'total_economy_net' THEN 'productivity measure' END,
                     CASE WHEN productivity_prices <> 'consumer' THEN 'productivity prices' END,
                     CASE WHEN pay <> 'ahe_comp_ratio' THEN 'pay measure' END,
                     CASE WHEN deflator <> 'epi_cpi' THEN 'deflator' END) AS changed
    FROM marts.c1_multiverse WHERE base_period = '1979Q4'
), one AS (SELECT 1 AS k),
prod AS (  -- productivity growth depends on the deflator only when productivity is in consumer prices
    SELECT productivity, productivity_prices, CASE productivity_prices WHEN 'consumer' THEN deflator END AS deflator,
           any_value(productivity_growth_pct) AS measured, any_value(end_period) AS end_period,
           bool_or(is_epi) AS is_epi,
           concat_ws(' + ', CASE WHEN productivity <> 'total_economy_net' THEN 'productivity measure' END,
                     CASE WHEN productivity_prices <> 'consumer' THEN 'productivity prices' END,
                     CASE WHEN productivity_prices = 'consumer' AND deflator <> 'epi_cpi' THEN 'deflator' END) AS changed
    FROM mv GROUP BY ALL
), pay AS (
    SELECT pay, deflator, any_value(pay_growth_pct) AS measured, any_value(end_period) AS end_period,
           bool_or(is_epi) AS is_epi,
           concat_ws(' + ', CASE WHEN pay <> 'ahe_comp_ratio' THEN 'pay measure' END,
                     CASE WHEN deflator <> 'epi_cpi' THEN 'deflator' END) AS changed
    FROM mv GROUP BY ALL
), common AS (  -- the last quarter every combination holds, so the gap rates compare like with like
    SELECT min(e.date) AS end_date FROM (SELECT variant, max(date) AS date FROM marts.c1_series
                                         WHERE frequency = 'Q' AND variant LIKE '%|%' GROUP BY variant) e
), rate AS (
    SELECT v.productivity, v.productivity_prices, v.pay, v.deflator, e.period AS end_period,
           100 * (pow(e.productivity_real / b.productivity_real, 12.0 / datediff('month', b.date, e.date))
                  - pow(e.pay_real / b.pay_real, 12.0 / datediff('month', b.date, e.date))) AS measured,
           v.productivity = 'total_economy_net' AND v.productivity_prices = 'consumer'
               AND v.pay = 'ahe_comp_ratio' AND v.deflator = 'epi_cpi' AS is_epi
    FROM marts.c1_variants v
    JOIN marts.c1_series b ON b.variant = v.variant AND b.frequency = 'Q' AND b.period = '1979Q4'
    JOIN marts.c1_series e ON e.variant = v.variant AND e.frequency = 'Q'
    JOIN common ON e.date = common.end_date
    WHERE NOT v.named
), rows AS (
    SELECT 'c1_productivity_growth' AS metric_id,
           CASE WHEN p.is_epi THEN 'EPI method' ELSE p.productivity || ' productivity in ' || p.productivity_prices
                || ' prices' || coalesce(', deflated by ' || p.deflator, '') END AS specification,
           CASE WHEN p.is_epi THEN 'headline' ELSE p.changed END AS choice, p.is_epi AS headline,
           p.measured, '1979Q4-' || p.end_period AS period,
           'Real productivity grew ' || round(p.measured, 1) || '% from 1979Q4 to ' || p.end_period
               || ', against the claimed 90%.' AS detail
    FROM prod p
    UNION ALL
    SELECT 'c1_pay_growth',
           CASE WHEN w.is_epi THEN 'EPI method' ELSE w.pay || ' pay, deflated by ' || w.deflator END,
           CASE WHEN w.is_epi THEN 'headline' ELSE w.changed END, w.is_epi, w.measured, '1979Q4-' || w.end_period,
           'Real pay grew ' || round(w.measured, 1) || '% from 1979Q4 to ' || w.end_period || ', against the claimed 33%.'
    FROM pay w
    UNION ALL
    SELECT 'c1_gap_ratio', CASE WHEN is_epi THEN 'EPI method' ELSE replace(variant, '|', ' / ') END,
           CASE WHEN is_epi THEN 'headline' ELSE changed END, is_epi, gap_ratio, '1979Q4-' || end_period,
           'Productivity grew ' || round(productivity_growth_pct, 1) || '% and pay ' || round(pay_growth_pct, 1)
               || '%: ' || round(gap_ratio, 2) || ' times as much.'
    FROM mv
    UNION ALL
    SELECT 'c1_gap_rate',
           CASE WHEN r.is_epi THEN 'EPI method' ELSE r.productivity || ' / ' || r.productivity_prices || ' / ' || r.pay || ' / ' || r.deflator END,
           CASE WHEN r.is_epi THEN 'headline'
                ELSE concat_ws(' + ', CASE WHEN r.productivity <> 'total_economy_net' THEN 'productivity measure' END,
                               CASE WHEN r.productivity_prices <> 'consumer' THEN 'productivity prices' END,
                               CASE WHEN r.pay <> 'ahe_comp_ratio' THEN 'pay measure' END,
                               CASE WHEN r.deflator <> 'epi_cpi' THEN 'deflator' END) END,
           r.is_epi, r.measured, '1979Q4-' || r.end_period,
           'Productivity grew ' || round(r.measured, 2) || ' points a year faster than pay from 1979Q4 to '
               || r.end_period || ' (the window every combination holds).'
    FROM rate r
), pt AS (
    SELECT *, pay = 'typical' AND smoothing = 'annual' AND era LIKE '2000-%' AS is_head
    FROM marts.c1_pass_through
), pt_rows AS (
    SELECT 'c1_pass_through' AS metric_id, pt.pay || ' pay, ' || pt.smoothing || ' changes, ' || pt.era AS specification,
           CASE WHEN pt.is_head THEN 'headline'
                ELSE concat_ws(' + ', CASE WHEN pt.pay <> 'typical' THEN 'pay measure' END,
                               CASE WHEN pt.smoothing <> 'annual' THEN 'smoothing' END,
                               CASE WHEN pt.era NOT LIKE '2000-%' THEN 'era' END) END AS choice,
           pt.is_head AS headline, pt.coefficient AS measured, pt.ci_low, pt.ci_high, pt.era AS period,
           'One point of faster productivity growth went with ' || round(pt.coefficient, 2) || ' points of faster '
               || pt.pay || ' pay growth in ' || pt.era || ' (95% HAC interval ' || round(pt.ci_low, 2) || ' to '
               || round(pt.ci_high, 2) || ', ' || pt.n_obs || ' years, ' || pt.hac_lags || ' lags)'
               || coalesce('; in 1948-1973 it was ' || round(b.coefficient, 2) || ' (' || round(b.ci_low, 2) || ' to ' || round(b.ci_high, 2) || ')', '')
               || '; productivity: ' || pt.ndp_source || '.' AS detail
    FROM pt LEFT JOIN marts.c1_pass_through b ON b.pay = pt.pay AND b.smoothing = pt.smoothing AND b.era = '1948-1973'
    WHERE pt.era <> '1948-1973'
    UNION ALL  -- mean pay needs employee hours; without them the specification says so
    SELECT 'c1_pass_through', 'mean pay (compensation per employee hour), annual changes, 2000-latest', 'pay measure',
           false, NULL, NULL, NULL, NULL, NULL
    WHERE NOT EXISTS (SELECT 1 FROM marts.c1_pass_through WHERE pay = 'mean')
), metrics(metric_id) AS (VALUES ('c1_productivity_growth'), ('c1_pay_growth'), ('c1_gap_ratio'), ('c1_gap_rate'), ('c1_pass_through')),
missing AS (  -- a metric without its headline row still gets one, saying why
    SELECT m.metric_id, 'EPI method' AS specification, 'headline' AS choice, true AS headline,
           NULL::DOUBLE AS measured, NULL AS period, NULL AS detail
    FROM metrics m WHERE NOT EXISTS (SELECT 1 FROM rows r WHERE r.metric_id = m.metric_id AND r.headline)
                     AND NOT EXISTS (SELECT 1 FROM pt_rows r WHERE r.metric_id = m.metric_id AND r.headline)
)
SELECT 'C1' AS claim_id, metric_id, specification, choice, headline, measured, ci_low, ci_high, period, detail,
       measured IS NOT NULL AS available,
       CASE WHEN measured IS NULL AND metric_id = 'c1_pass_through' AND choice = 'pay measure'
                THEN 'employee hours (TOTAL_ECONOMY_HOURS_EMPLOYEES: BLS total-economy hours less nonfarm proprietors, unpaid family workers and farm) are not held from one release of the BLS file'
            WHEN measured IS NULL THEN 'the EPI-method series (NDP, total-economy hours, AHETPI, compensation/wages, extended CPI) are not all held from 1979Q4' END AS reason
FROM (SELECT *, NULL::DOUBLE AS ci_low, NULL::DOUBLE AS ci_high FROM rows
      UNION ALL SELECT *, NULL::DOUBLE, NULL::DOUBLE FROM missing
      UNION ALL BY NAME SELECT * FROM pt_rows);
