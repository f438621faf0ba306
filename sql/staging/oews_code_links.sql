-- OEWS occupations whose SOC code changed (SOC 2000 -> 2010 between the 2008 and 2013 files, SOC 2010 -> 2018 over 2019-2021) while the occupation kept its title: each old code linked to the code that follows it. Found by identical title (case and punctuation ignored) with no overlap in years, the detailed code preferred over a broad group of the same title. Occupations that were split or merged (e.g. software developers) get no link on purpose: their wages are not comparable across the change. The matrix keeps published codes; use these links to follow one occupation across the change, knowingly.
-- column old_soc [; BLS OEWS national]: Code before the change
-- column new_soc [; BLS OEWS national]: Code after the change
-- column occupation: Title (as last published under the new code)
-- column old_last_year: Last year published under the old code
-- column new_first_year: First year published under the new code
-- column soc_change: Which revision: SOC 2000 -> 2010 or SOC 2010 -> 2018
CREATE OR REPLACE VIEW staging.oews_code_links AS
WITH codes AS (
    SELECT soc, any_value(occupation) AS occupation,
           trim(lower(regexp_replace(any_value(occupation), '[^A-Za-z0-9]+', ' ', 'g'))) AS title_key,
           min(year) AS first_year, max(year) AS last_year
    FROM staging.oews_wages
    WHERE measure = 'H_MEAN'
    GROUP BY soc
)
SELECT o.soc AS old_soc, n.soc AS new_soc, n.occupation, o.last_year AS old_last_year,
       n.first_year AS new_first_year,
       CASE WHEN o.last_year <= 2009 THEN 'SOC 2000 -> 2010' ELSE 'SOC 2010 -> 2018' END AS soc_change
FROM codes o
JOIN codes n ON n.title_key = o.title_key AND n.soc <> o.soc AND n.first_year > o.last_year
QUALIFY row_number() OVER (PARTITION BY o.soc ORDER BY n.first_year, right(n.soc, 1) = '0', n.soc) = 1;
