-- Table macro marts.gap_since(base, variant): productivity and pay of one C1 variant indexed to a base period (a quarter 'YYYYQn' or a year 'YYYY', which selects the quarterly or annual view), their cumulative growth, the gap in points and as a ratio, and the three wedges in log points since the base. An unknown variant, a malformed period, or a base outside the variant's data raises an error that lists what exists.
CREATE OR REPLACE MACRO marts.gap_since(base, variant_name) AS TABLE
WITH arg AS (
    SELECT upper(trim(CAST(base AS VARCHAR))) AS b, CAST(variant_name AS VARCHAR) AS v
), parsed AS (
    SELECT b, v,
           CASE WHEN regexp_full_match(b, '[0-9]{4}Q[1-4]') THEN 'Q'
                WHEN regexp_full_match(b, '[0-9]{4}') THEN 'A' END AS freq
    FROM arg
), spans AS (
    SELECT variant, frequency, min(period) AS first_period, max(period) AS last_period
    FROM marts.c1_series GROUP BY variant, frequency
), checked AS (
    SELECT p.*,
        CASE
            WHEN NOT EXISTS (SELECT 1 FROM marts.c1_variants WHERE variant = p.v) THEN error(
                'unknown C1 variant ''' || p.v || '''; named variants: '
                || (SELECT string_agg(variant, ', ' ORDER BY variant) FROM marts.c1_variants WHERE named)
                || '; or productivity|prices|pay|deflator with productivity in ('
                || (SELECT string_agg(measure, ', ' ORDER BY measure) FROM marts.c1_measure_catalog WHERE dimension = 'productivity')
                || '), prices in (consumer, output), pay in ('
                || (SELECT string_agg(measure, ', ' ORDER BY measure) FROM marts.c1_measure_catalog WHERE dimension = 'pay')
                || '), deflator in ('
                || (SELECT string_agg(measure, ', ' ORDER BY measure) FROM marts.c1_measure_catalog WHERE dimension = 'deflator')
                || ')')
            WHEN p.freq IS NULL THEN error(
                'base period ''' || p.b || ''' is not a quarter (YYYYQn, e.g. 1979Q4) or a year (YYYY, e.g. 1979)')
            WHEN NOT EXISTS (SELECT 1 FROM marts.c1_series s
                             WHERE s.variant = p.v AND s.frequency = p.freq AND s.period = p.b) THEN error(
                'base period ' || p.b || ' is outside the data of C1 variant ' || p.v || ': '
                || coalesce((SELECT CASE p.freq WHEN 'Q' THEN 'quarters ' ELSE 'years ' END
                                    || first_period || ' to ' || last_period
                             FROM spans WHERE variant = p.v AND frequency = p.freq), 'no data')
                || ' exist')
            ELSE coalesce(p.freq, '?')
        END AS checked_freq
    FROM parsed p
), b AS (
    SELECT s.* FROM marts.c1_series s, checked c
    WHERE s.variant = c.v AND s.frequency = c.checked_freq AND s.period = c.b
)
SELECT s.frequency, s.date, s.period, s.variant, b.period AS base_period,
       100 * s.productivity_real / b.productivity_real AS productivity_index,
       100 * s.pay_real / b.pay_real AS pay_index,
       100 * (s.productivity_real / b.productivity_real - 1) AS productivity_growth_pct,
       100 * (s.pay_real / b.pay_real - 1) AS pay_growth_pct,
       100 * (s.productivity_real / b.productivity_real - s.pay_real / b.pay_real) AS gap_pts,
       (s.productivity_real / b.productivity_real - 1) / nullif(s.pay_real / b.pay_real - 1, 0) AS gap_ratio,
       s.log_gap - b.log_gap AS log_gap,
       s.labor_share_term - b.labor_share_term AS labor_share_wedge,
       s.prices_term - b.prices_term AS prices_wedge,
       s.inequality_term - b.inequality_term AS inequality_wedge
FROM marts.c1_series s JOIN b ON s.variant = b.variant AND s.frequency = b.frequency
WHERE s.date >= b.date
-- A join can skip a side whose partner is empty; this branch always reads the check, so a bad
-- argument raises its error instead of returning no rows.
UNION ALL BY NAME
SELECT checked_freq AS frequency FROM checked WHERE checked_freq IS NULL
ORDER BY date;
