-- Barber-hours per TV, by year (claim C2). The CPI television index (published CUUR0000SERA01 when held, else the snapshot's rebased CUSR0000SERA01) is anchored to a dollar price at the anchor year, and divided by barbers' hourly wage: OEWS 39-5011 national mean and median (May; excludes the self-employed) and, as a labelled long-run proxy, average hourly earnings of production and nonsupervisory workers (AHETPI). The CPI index is constant-quality (hedonic): tv_price is what a TV of the anchor year's quality would cost, so hours_* are the quality-adjusted reading. The anchor is the requested year when the index covers it, else the index's nearest year (anchor_note says so). Years without a wage or a TV price have NULLs: nothing is interpolated. The claim_* columns are the claim's own path (constant rate from its start to its end figure over its twenty years), for comparison only. New York metro wages (OEWS area 35620, series OEWS_MSA35620_395011_H_MEAN) come from the live metro files; the snapshot has none, so those columns are NULL there.
-- column year: Calendar year (OEWS: May reference)
-- column tv_series_id: CPI television series used
-- column tv_index [index, own base; BLS CPI televisions]: TV price index, annual average (own base)
-- column anchor_year: Year the index is anchored to anchor_price
-- column anchor_price [dollars; DECOUPLING_C2_ANCHOR_PRICE]: Dollars at the anchor year
-- column anchor_note: How the anchor year was chosen
-- column tv_price [dollars; BLS CPI televisions]: Constant-quality TV price, dollars (anchor_price x tv_index / tv_index at anchor_year)
-- column barber_wage_mean [dollars per hour; BLS OEWS national, SOC 39-5011]: Barbers (SOC 39-5011) national mean hourly wage, dollars (OEWS)
-- column barber_wage_median [dollars per hour; BLS OEWS national, SOC 39-5011]: Barbers national median hourly wage, dollars (OEWS)
-- column barber_wage_ny_mean [dollars per hour; BLS OEWS metro area 35620]: Barbers' mean hourly wage in the New York-Newark-Jersey City metro area, dollars (OEWS area 35620; NULL when not held)
-- column ahetpi [dollars per hour; BLS CES, AHETPI]: Average hourly earnings, production and nonsupervisory, total private, dollars (proxy)
-- column hours_mean [hours]: tv_price / barber_wage_mean: barber-hours per constant-quality TV
-- column hours_median [hours]: tv_price / barber_wage_median
-- column hours_ny_mean [hours]: tv_price / barber_wage_ny_mean: New York barber-hours per constant-quality TV
-- column hours_ahetpi [hours]: tv_price / ahetpi (long-run proxy: a typical worker, not a barber)
-- column claim_hours [hours; the claim]: The claim's hours on its path, 200 at anchor_year to 25 twenty years later
-- column claim_wage [dollars per hour; the claim]: The claim's barber wage on its path, $10 to $40
-- column claim_tv_price [dollars; the claim]: The claim's TV sticker price on its path, $2,000 to $1,000 (a better TV at the end)
-- column hours_at_claimed_price [hours]: claim_tv_price / barber_wage_mean: the claim's sticker prices with measured pay
CREATE OR REPLACE TABLE marts.barber_tv_hours AS
WITH params AS (SELECT * FROM marts.c2_parameters),
tv_choice AS (
    SELECT CASE WHEN count(*) FILTER (WHERE series_id = 'CUUR0000SERA01') > 0
                THEN 'CUUR0000SERA01' ELSE 'CUSR0000SERA01' END AS tv_series_id
    FROM staging.annual WHERE series_id IN ('CUUR0000SERA01', 'CUSR0000SERA01')
),
tv AS (
    SELECT a.year, c.tv_series_id, a.value AS tv_index
    FROM staging.annual a JOIN tv_choice c ON a.series_id = c.tv_series_id
),
wages AS (
    SELECT year,
           max(value) FILTER (WHERE series_id = 'OEWS_395011_H_MEAN') AS barber_wage_mean,
           max(value) FILTER (WHERE series_id = 'OEWS_395011_H_MEDIAN') AS barber_wage_median,
           max(value) FILTER (WHERE series_id = 'OEWS_MSA35620_395011_H_MEAN') AS barber_wage_ny_mean,
           max(value) FILTER (WHERE series_id = 'AHETPI') AS ahetpi
    FROM staging.annual
    WHERE series_id IN ('OEWS_395011_H_MEAN', 'OEWS_395011_H_MEDIAN', 'OEWS_MSA35620_395011_H_MEAN', 'AHETPI')
    GROUP BY year
),
latest AS (  -- the claim year: the latest year with a barber wage ("today" in the claim)
    SELECT max(w.year) AS claim_year FROM wages w WHERE w.barber_wage_mean IS NOT NULL
),
wanted AS (
    SELECT coalesce(p.anchor_year_requested, l.claim_year - p.claimed_years,
                    (SELECT max(year) FROM tv) - p.claimed_years) AS requested,
           p.anchor_year_requested IS NOT NULL AS set_by_user
    FROM params p, latest l
),
anchor AS (
    SELECT tv.year AS anchor_year, tv.tv_index AS anchor_index,
           CASE WHEN tv.year = w.requested
                THEN CASE WHEN w.set_by_user THEN 'anchor year set by the user'
                          ELSE 'twenty years before the claim year (the latest year with an OEWS barber wage)' END
                ELSE 'requested ' || w.requested || ', not covered by the TV index (' ||
                     (SELECT min(year) FROM tv) || '-' || (SELECT max(year) FROM tv) ||
                     '): anchored at its nearest year ' || tv.year END AS anchor_note
    FROM tv, wanted w
    ORDER BY abs(tv.year - w.requested), tv.year
    LIMIT 1
),
years AS (
    SELECT year FROM tv UNION SELECT year FROM wages WHERE barber_wage_mean IS NOT NULL
),
priced AS (  -- each year's TV price and, inside the claim's window, its share of that window
    SELECT y.year, tv.tv_series_id, tv.tv_index, a.anchor_year, p.anchor_price, a.anchor_note,
           p.anchor_price * tv.tv_index / a.anchor_index AS tv_price,
           w.barber_wage_mean, w.barber_wage_median, w.barber_wage_ny_mean, w.ahetpi,
           CASE WHEN y.year BETWEEN a.anchor_year AND a.anchor_year + p.claimed_years
                THEN (y.year - a.anchor_year) / p.claimed_years END AS claim_elapsed
    FROM years y
    CROSS JOIN params p
    CROSS JOIN anchor a
    LEFT JOIN tv ON tv.year = y.year
    LEFT JOIN wages w ON w.year = y.year
),
claimed AS (
    SELECT x.*,
           p.claimed_start_hours * power(p.claimed_end_hours / p.claimed_start_hours, x.claim_elapsed) AS claim_hours,
           p.claimed_start_wage * power(p.claimed_end_wage / p.claimed_start_wage, x.claim_elapsed) AS claim_wage,
           p.claimed_start_price * power(p.claimed_end_price / p.claimed_start_price, x.claim_elapsed) AS claim_tv_price
    FROM priced x, params p
)
SELECT year, tv_series_id, tv_index, anchor_year, anchor_price, anchor_note, tv_price,
       barber_wage_mean, barber_wage_median, barber_wage_ny_mean, ahetpi,
       tv_price / barber_wage_mean AS hours_mean,
       tv_price / barber_wage_median AS hours_median,
       tv_price / barber_wage_ny_mean AS hours_ny_mean,
       tv_price / ahetpi AS hours_ahetpi,
       claim_hours, claim_wage, claim_tv_price,
       claim_tv_price / barber_wage_mean AS hours_at_claimed_price
FROM claimed
ORDER BY year;
