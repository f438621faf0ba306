-- Scorecard rows for claim C1 (the productivity-pay gap since 1979): the claimed +90% / +33% against the EPI-method values measured here (variant epi, 1979Q4 to its latest quarter), the gap ratio, the range across the whole multiverse, and the era growth rates behind "the link has weakened".
-- column claim_id: Claim id as in docs/CLAIMS.md
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states (NULL when it states none)
-- column measured: The figure computed from the data
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
CREATE OR REPLACE TABLE marts.claims_c1 AS
WITH epi AS (
    SELECT * FROM marts.c1_series WHERE variant = 'epi' AND frequency = 'Q'
), base AS (
    SELECT * FROM epi WHERE period = '1979Q4'
), last AS (
    SELECT * FROM epi ORDER BY date DESC LIMIT 1
), m AS (
    SELECT 100 * (l.productivity_real / b.productivity_real - 1) AS prod,
           100 * (l.pay_real / b.pay_real - 1) AS pay,
           '1979Q4-' || l.period AS period
    -- One row even when the inputs are missing, so the scorecard says 'not available'.
    FROM (SELECT 1) AS one LEFT JOIN base b ON true LEFT JOIN last l ON true
), mv AS (
    SELECT count(*) AS n, count(*) FILTER (WHERE gap_pts > 0) AS positive,
           min(gap_pts) AS lo, max(gap_pts) AS hi, median(gap_pts) AS mid,
           min(end_period) AS first_end, max(end_period) AS last_end
    FROM marts.c1_multiverse WHERE base_period = '1979Q4'
), mover AS (
    SELECT choice, choice_spread_pts FROM marts.c1_multiverse_drivers
    WHERE base_period = '1979Q4' ORDER BY choice_spread_pts DESC, choice LIMIT 1
), eras AS (
    SELECT max(productivity_growth_rate) FILTER (WHERE era = '1948-1979') AS p_before,
           max(pay_growth_rate) FILTER (WHERE era = '1948-1979') AS w_before,
           max(productivity_growth_rate) FILTER (WHERE frequency = 'Q') AS p_after,
           max(pay_growth_rate) FILTER (WHERE frequency = 'Q') AS w_after,
           max(era) FILTER (WHERE frequency = 'Q') AS after_era
    FROM marts.c1_eras WHERE variant = 'epi'
), rows AS (
    SELECT 'productivity growth (EPI method: net domestic product per hour, extended chained CPI)' AS metric,
           90.0 AS claimed, m.prod AS measured, 'percent' AS unit, m.period,
           CASE WHEN m.prod IS NULL THEN 'not available'
                WHEN abs(m.prod - 90.0) <= 5 THEN 'supported'
                WHEN abs(m.prod - 90.0) <= 15 THEN 'partly supported' ELSE 'not supported' END AS verdict,
           'Measured EPI-method net productivity growth is ' || round(m.prod, 1) || '% over ' || m.period
               || ', against the claimed 90%.' AS detail
    FROM m
    UNION ALL
    SELECT 'pay growth (EPI method: production/nonsupervisory compensation, extended chained CPI)',
           33.0, m.pay, 'percent', m.period,
           CASE WHEN m.pay IS NULL THEN 'not available'
                WHEN abs(m.pay - 33.0) <= 5 THEN 'supported'
                WHEN abs(m.pay - 33.0) <= 15 THEN 'partly supported' ELSE 'not supported' END,
           'Measured EPI-method typical hourly compensation growth is ' || round(m.pay, 1) || '% over '
               || m.period || ', against the claimed 33%.'
    FROM m
    UNION ALL
    SELECT 'productivity-to-pay growth ratio (EPI method)', 2.7, m.prod / nullif(m.pay, 0), 'ratio', m.period,
           CASE WHEN m.pay IS NULL THEN 'not available'
                WHEN abs(m.prod / nullif(m.pay, 0) - 2.7) <= 0.3 THEN 'supported' ELSE 'not supported' END,
           'Productivity grew ' || round(m.prod / nullif(m.pay, 0), 2) || ' times as much as typical pay ('
               || round(m.prod - m.pay, 1) || ' points apart).'
    FROM m
    UNION ALL
    SELECT 'gap across every measurement choice (median of the multiverse)', NULL, mv.mid,
           'percentage points', '1979Q4-latest (' || mv.first_end || ' to ' || mv.last_end || ')',
           CASE WHEN mv.n = 0 THEN 'not available'
                WHEN mv.positive >= 0.9 * mv.n THEN 'supported'
                WHEN mv.positive >= 0.5 * mv.n THEN 'partly supported' ELSE 'not supported' END,
           mv.positive || ' of ' || mv.n || ' combinations of productivity, pay and deflator show productivity outgrowing pay since 1979Q4 (gap '
               || round(mv.lo, 1) || ' to ' || round(mv.hi, 1) || ' points); the ' || coalesce(replace(mover.choice, '_', ' '), 'unknown')
               || ' choice moves the answer most.'
    FROM mv LEFT JOIN mover ON true
    UNION ALL
    SELECT 'share of productivity growth reaching typical pay after 1979 (EPI method, annual rates)', NULL,
           100 * eras.w_after / nullif(eras.p_after, 0), 'percent', eras.after_era,
           CASE WHEN eras.p_after IS NULL OR eras.p_before IS NULL THEN 'not available'
                WHEN eras.w_after / eras.p_after < eras.w_before / eras.p_before - 0.1 THEN 'supported'
                ELSE 'not supported' END,
           'Pay grew ' || CAST(round(100 * eras.w_before / eras.p_before) AS INTEGER) || '% as fast as productivity in 1948-1979 ('
               || round(eras.w_before, 1) || '% vs ' || round(eras.p_before, 1) || '% a year) but '
               || CAST(round(100 * eras.w_after / eras.p_after) AS INTEGER) || '% as fast in ' || eras.after_era || ' ('
               || round(eras.w_after, 1) || '% vs ' || round(eras.p_after, 1) || '%).'
    FROM eras
)
SELECT 'C1' AS claim_id,
       'Since 1979 US productivity rose about 90% while typical worker compensation rose about 33%; the link between productivity and pay has weakened for fifty years.' AS claim,
       metric, claimed, measured, unit, period, verdict, detail
FROM rows;
