-- The "chart of the century" (after Mark Perry): CPI categories against average hourly earnings since 2000, as money prices (percent change since 2000) and as time prices (hours of typical work per unit, index 2000 = 100). Categories are listed below with the series that stands for each; a category whose series is not held, or lacks a 2000 value, has no rows. Earnings: AHETPI (production and nonsupervisory workers). Video and audio (CUUR0000SERA) is a context line only: it holds cable, satellite and streaming services and is no TV price.
-- column series_id: CPI series id (or AHETPI for the earnings line)
-- column category: Short name of the category
-- column label: Legend text: the category, and the caveat of a stand-in series
-- column role: category, all items, earnings, or context (not a stand-in for any category)
-- column year: Calendar year
-- column value: Annual average of the series (own base; dollars per hour for earnings)
-- column pct_change_since_2000: Money price (or earnings) change since 2000, percent
-- column time_price_index: Hours of typical work (AHETPI) per unit, index 2000 = 100 (NULL for the earnings line)
CREATE OR REPLACE TABLE marts.century_prices AS
WITH wanted(series_id, category, label, role, rank) AS (
    VALUES ('CUUR0000SERA01', 'Televisions', 'Televisions (constant quality)', 'category', 1),
           ('CUSR0000SERA01', 'Televisions', 'Televisions (constant quality)', 'category', 2),
           ('CUUR0000SEEE02', 'Software', 'Software', 'category', 1),
           ('CUUR0000SERE01', 'Toys', 'Toys', 'category', 1),
           ('CUSR0000SAA', 'Clothing', 'Clothing', 'category', 1),
           ('CUSR0000SETA01', 'New cars', 'New cars', 'category', 1),
           ('CUSR0000SAF', 'Food and beverages', 'Food and beverages', 'category', 1),
           ('CUSR0000SAH', 'Housing', 'Housing', 'category', 1),
           ('CPIMEDSL', 'Medical care', 'Medical care', 'category', 1),
           ('CUUR0000SEMD01', 'Hospital services', 'Hospital services', 'category', 1),
           ('LTWT_MEDICAL_SERVICES', 'Hospital services', 'Hospital services (LTWT "medical services", unverified id)', 'category', 2),
           ('CUSR0000SEEB01', 'College tuition', 'College tuition', 'category', 1),
           ('CUSR0000SEEB03', 'Child care', 'Child care', 'category', 1),
           ('CPIAUCSL', 'All items', 'All items', 'all items', 1),
           ('CUUR0000SERA', 'Video and audio incl. cable and streaming (context, not TVs)', 'Video and audio incl. cable and streaming (context, not TVs)', 'context', 1),
           ('AHETPI', 'Average hourly earnings', 'Average hourly earnings', 'earnings', 1)
),
held AS (  -- the best-ranked series held for each category, with a 2000 value
    SELECT w.*
    FROM wanted w
    WHERE EXISTS (SELECT 1 FROM staging.annual a WHERE a.series_id = w.series_id AND a.year = 2000)
    QUALIFY row_number() OVER (PARTITION BY w.category ORDER BY w.rank) = 1
),
a AS (
    SELECT h.series_id, h.category, h.label, h.role, a.year, a.value
    FROM held h JOIN staging.annual a ON a.series_id = h.series_id
    WHERE a.year >= 2000
),
base AS (SELECT series_id, value AS v2000 FROM a WHERE year = 2000),
wage AS (SELECT year, value AS ahe FROM a WHERE series_id = 'AHETPI'),
wage2000 AS (SELECT ahe AS ahe2000 FROM wage WHERE year = 2000)
SELECT a.series_id, a.category, a.label, a.role, a.year, a.value,
       100 * (a.value / base.v2000 - 1) AS pct_change_since_2000,
       CASE WHEN a.role <> 'earnings'
            THEN 100 * (a.value / wage.ahe) / (base.v2000 / wage2000.ahe2000) END AS time_price_index
FROM a
JOIN base USING (series_id)
LEFT JOIN wage USING (year)
CROSS JOIN wage2000
ORDER BY a.role, a.category, a.year;
