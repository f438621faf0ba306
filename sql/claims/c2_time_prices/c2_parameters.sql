-- The parameters of claim C2 ("200 hours of a New York barber's work bought a $2,000 TV twenty years ago; 25 hours buy a better $1,000 TV today"): the claim's figures, and the dollar anchor of the TV price index. The anchor price and year can be set with DECOUPLING_C2_ANCHOR_PRICE / DECOUPLING_C2_ANCHOR_YEAR (DuckDB variables c2_anchor_price / c2_anchor_year).
-- column anchor_price: Dollar price given to the TV index at the anchor year (default the claim's $2,000)
-- column anchor_year_requested: Year requested for the anchor (NULL = twenty years before the claim year, the latest year with an OEWS barber wage)
-- column claimed_years: Years the claim spans (20)
-- column claimed_start_hours: Hours of barber work per TV at the start, claimed (200)
-- column claimed_end_hours: Hours per TV today, claimed (25)
-- column claimed_start_wage: Barber wage at the start, claimed, dollars per hour (10)
-- column claimed_end_wage: Barber wage today, claimed, dollars per hour (40)
-- column claimed_start_price: TV price at the start, claimed, dollars (2,000)
-- column claimed_end_price: TV price today, claimed, dollars (1,000; for a better TV)
CREATE OR REPLACE TABLE marts.c2_parameters AS
SELECT coalesce(TRY_CAST(getvariable('c2_anchor_price') AS DOUBLE), 2000.0) AS anchor_price,
       TRY_CAST(TRY_CAST(getvariable('c2_anchor_year') AS DOUBLE) AS INTEGER) AS anchor_year_requested,
       20 AS claimed_years,
       200.0 AS claimed_start_hours,
       25.0 AS claimed_end_hours,
       10.0 AS claimed_start_wage,
       40.0 AS claimed_end_wage,
       2000.0 AS claimed_start_price,
       1000.0 AS claimed_end_price;
