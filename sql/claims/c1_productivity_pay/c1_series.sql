-- Real productivity and real pay of every C1 variant, quarterly and annual, with the log gap split exactly into three terms: ln(productivity / pay) = -ln(labor share) + ln(consumer deflator / output deflator) + ln(mean compensation / pay). Changes of the terms between two periods are the three wedges (labor share, prices, inequality); they add up to the change of the log gap with no residual.
-- column frequency: Q quarterly or A annual
-- column date: First day of the quarter or year
-- column period: The period as text: YYYYQn or YYYY
-- column variant: Variant name (marts.c1_variants)
-- column productivity_real: Real productivity (nominal output per hour / its deflator), an index level
-- column pay_real: Real pay (nominal pay / the variant's deflator), an index level
-- column log_gap: ln(productivity_real) - ln(pay_real)
-- column labor_share_term: -ln(labor share), the labor share being mean hourly compensation / nominal output per hour of the productivity sector
-- column prices_term: ln(pay deflator / productivity deflator); zero when both use the same deflator
-- column inequality_term: ln(mean hourly compensation of the productivity sector / nominal pay)
CREATE OR REPLACE TABLE marts.c1_series AS
WITH prod AS (SELECT * FROM marts.c1_measures WHERE dimension = 'productivity'),
     pay AS (SELECT * FROM marts.c1_measures WHERE dimension = 'pay'),
     defl AS (SELECT * FROM marts.c1_measures WHERE dimension = 'deflator'),
     joined AS (
    SELECT p.frequency, p.date, v.variant, p.nominal AS prod_nominal,
           CASE v.productivity_prices WHEN 'output' THEN p.output_deflator ELSE d.nominal END AS prod_deflator,
           p.mean_compensation, w.nominal AS pay_nominal, d.nominal AS pay_deflator
    FROM marts.c1_variants v
    JOIN prod p ON p.measure = v.productivity
    JOIN pay w ON w.measure = v.pay AND w.frequency = p.frequency AND w.date = p.date
    JOIN defl d ON d.measure = v.deflator AND d.frequency = p.frequency AND d.date = p.date
)
SELECT frequency, date,
       CASE frequency WHEN 'Q' THEN year(date) || 'Q' || quarter(date) ELSE CAST(year(date) AS VARCHAR) END AS period,
       variant,
       100 * prod_nominal / prod_deflator AS productivity_real,
       100 * pay_nominal / pay_deflator AS pay_real,
       ln(prod_nominal / prod_deflator) - ln(pay_nominal / pay_deflator) AS log_gap,
       -ln(mean_compensation / prod_nominal) AS labor_share_term,
       ln(pay_deflator / prod_deflator) AS prices_term,
       ln(mean_compensation / pay_nominal) AS inequality_term
FROM joined
WHERE prod_nominal IS NOT NULL AND prod_deflator IS NOT NULL AND pay_nominal IS NOT NULL AND pay_deflator IS NOT NULL
ORDER BY variant, frequency, date;
