-- The time-price matrix: every wage series (each OEWS occupation's mean and median hourly wage, each CES hourly-earnings series) x every price index of the catalog x every year both cover. The time price of a good is its money price over an hourly wage (hours of work per unit); with price indexes only its changes mean anything, so it is indexed to 100 in the first year the pair shares (base_year). Years missing from either series (OEWS 2009-2012 in the snapshot, suppressed wages) have no row: gaps are never filled. Rebase with a window, e.g. 100 * time_price_index / first_value(time_price_index) OVER (PARTITION BY wage_series_id, price_series_id ORDER BY year) over the years you keep. Titles: the view time_prices beside it. Built set-based without a window over the product: series sharing the same set of years share their pairs' base year, so each wage and price series is rebased once per base year and the matrix is one hash join (the small steps are temporary tables, so the planner sees their true sizes).
-- column wage_series_id: Wage series (staging.wage_series)
-- column price_series_id: Price index (staging.price_series)
-- column year: Year (OEWS: May reference; CES and CPI: calendar-year average)
-- column wage: Hourly wage, dollars
-- column price: Price index, annual average (own base)
-- column base_year: First year the pair shares: time_price_index = 100 there
-- column time_price_index: Hours of work per unit of the good, index base_year = 100 (price index / wage, rebased)
CREATE OR REPLACE TEMP TABLE tpm_wages AS
SELECT wage_series_id, year, wage FROM staging.wage_series;
CREATE OR REPLACE TEMP TABLE tpm_prices AS
SELECT price_series_id, year, price FROM staging.price_series;
-- Each combination of year sets (of a wage series, of a price series) and its first common year.
CREATE OR REPLACE TEMP TABLE tpm_wage_sets AS
SELECT wage_series_id, list_sort(list(year)) AS years FROM tpm_wages GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE tpm_price_sets AS
SELECT price_series_id, list_sort(list(year)) AS years FROM tpm_prices GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE tpm_set_pairs AS
SELECT row_number() OVER () AS set_pair, wyears, pyears,
       list_min(list_intersect(wyears, pyears)) AS base_year
FROM (SELECT DISTINCT years AS wyears FROM tpm_wage_sets) w,
     (SELECT DISTINCT years AS pyears FROM tpm_price_sets) p
WHERE len(list_intersect(wyears, pyears)) > 0;
-- Each wage series rebased to each base year it meets (1 at the base year); prices likewise.
CREATE OR REPLACE TEMP TABLE tpm_wage_rebased AS
SELECT sp.set_pair, sp.base_year, w.wage_series_id, w.year, w.wage, w.wage / wb.wage AS wage_rel
FROM tpm_set_pairs sp
JOIN tpm_wage_sets ws ON ws.years = sp.wyears
JOIN tpm_wages w ON w.wage_series_id = ws.wage_series_id
JOIN tpm_wages wb ON wb.wage_series_id = ws.wage_series_id AND wb.year = sp.base_year;
CREATE OR REPLACE TEMP TABLE tpm_price_rebased AS
SELECT sp.set_pair, p.price_series_id, p.year, p.price, p.price / pb.price AS price_rel
FROM tpm_set_pairs sp
JOIN tpm_price_sets ps ON ps.years = sp.pyears
JOIN tpm_prices p ON p.price_series_id = ps.price_series_id
JOIN tpm_prices pb ON pb.price_series_id = ps.price_series_id AND pb.year = sp.base_year;
CREATE OR REPLACE TABLE marts.time_price_matrix AS
SELECT w.wage_series_id, p.price_series_id, w.year, w.wage, p.price, w.base_year,
       100 * p.price_rel / w.wage_rel AS time_price_index
FROM tpm_wage_rebased w
JOIN tpm_price_rebased p ON p.set_pair = w.set_pair AND p.year = w.year;
DROP TABLE tpm_wages; DROP TABLE tpm_prices; DROP TABLE tpm_wage_sets; DROP TABLE tpm_price_sets;
DROP TABLE tpm_set_pairs; DROP TABLE tpm_wage_rebased; DROP TABLE tpm_price_rebased;
