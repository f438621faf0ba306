-- How each detailed occupation of a base year is followed to the latest OEWS year, per window and linking rule. Rule 'title' (default): the same code in both years, else an end-year occupation not already linked by code with the identical normalised title. Rule 'crosswalk' (labelled alternative): the same, plus the hand-written recodes of marts.c7_soc_crosswalk for codes still unlinked. Occupations linked in a chain of merges or splits form one unit (connected components over the links), so no employment is counted twice. A base occupation with no link keeps a row with how = 'unlinked': it is reported, never dropped.
-- column base_year: First year of the window (the year occupations are ranked in)
-- column end_year: Last year of the window
-- column link_rule: title (code, else identical title; the default) or crosswalk (also the hand-written recodes)
-- column base_code: SOC code in the base year
-- column end_code: SOC code in the end year (NULL when unlinked)
-- column how: code, title, crosswalk or unlinked
-- column unit: The linked unit (component) the pair belongs to: its smallest member, 'b:' base or 'e:' end code (NULL when unlinked)
CREATE OR REPLACE TABLE marts.c7_links AS
WITH RECURSIVE years AS (
    SELECT DISTINCT year FROM marts.c7_occupations
), windows AS (
    SELECT b.year AS base_year, (SELECT max(year) FROM years) AS end_year
    FROM years b
    WHERE b.year = (SELECT min(year) FROM years) OR b.year = 2013
), windows_rules AS (
    SELECT w.*, r.link_rule FROM windows w, (VALUES ('title'), ('crosswalk')) r(link_rule)
    WHERE w.base_year < w.end_year
), det AS (
    SELECT year, soc, title_key FROM marts.c7_occupations WHERE NOT is_total
), by_code AS (
    SELECT w.base_year, w.end_year, w.link_rule, b.soc AS base_code, e.soc AS end_code, 'code' AS how
    FROM windows_rules w
    JOIN det b ON b.year = w.base_year
    JOIN det e ON e.year = w.end_year AND e.soc = b.soc
), by_title AS (
    SELECT w.base_year, w.end_year, w.link_rule, b.soc AS base_code, e.soc AS end_code, 'title' AS how
    FROM windows_rules w
    JOIN det b ON b.year = w.base_year
    JOIN det e ON e.year = w.end_year AND e.title_key = b.title_key AND e.title_key <> ''
    WHERE NOT EXISTS (SELECT 1 FROM det x WHERE x.year = w.end_year AND x.soc = b.soc)
      AND NOT EXISTS (SELECT 1 FROM det x WHERE x.year = w.base_year AND x.soc = e.soc)
), by_crosswalk AS (
    SELECT w.base_year, w.end_year, w.link_rule, c.base_code, c.end_code, 'crosswalk' AS how
    FROM windows_rules w
    JOIN marts.c7_soc_crosswalk c ON w.link_rule = 'crosswalk'
    JOIN det b ON b.year = w.base_year AND b.soc = c.base_code
    JOIN det e ON e.year = w.end_year AND e.soc = c.end_code
    WHERE NOT EXISTS (
        SELECT 1 FROM by_code k WHERE k.base_year = w.base_year AND k.link_rule = w.link_rule AND k.base_code = c.base_code
        UNION ALL
        SELECT 1 FROM by_title k WHERE k.base_year = w.base_year AND k.link_rule = w.link_rule AND k.base_code = c.base_code
    )
), pairs AS (
    SELECT * FROM by_code UNION ALL SELECT * FROM by_title UNION ALL SELECT * FROM by_crosswalk
), edges AS (
    SELECT base_year, link_rule, 'b:' || base_code AS a, 'e:' || end_code AS b FROM pairs
    UNION ALL
    SELECT base_year, link_rule, 'e:' || end_code, 'b:' || base_code FROM pairs
), reach(base_year, link_rule, node, other) AS (
    SELECT DISTINCT base_year, link_rule, a, a FROM edges
    UNION
    SELECT r.base_year, r.link_rule, r.node, e.b
    FROM reach r JOIN edges e ON e.base_year = r.base_year AND e.link_rule = r.link_rule AND e.a = r.other
), component AS (
    SELECT base_year, link_rule, node, min(other) AS unit FROM reach GROUP BY ALL
), unlinked AS (
    SELECT w.base_year, w.end_year, w.link_rule, b.soc AS base_code, NULL AS end_code, 'unlinked' AS how
    FROM windows_rules w
    JOIN det b ON b.year = w.base_year
    WHERE NOT EXISTS (
        SELECT 1 FROM pairs p WHERE p.base_year = w.base_year AND p.link_rule = w.link_rule AND p.base_code = b.soc
    )
)
SELECT p.base_year, p.end_year, p.link_rule, p.base_code, p.end_code, p.how, c.unit
FROM pairs p
JOIN component c ON c.base_year = p.base_year AND c.link_rule = p.link_rule AND c.node = 'b:' || p.base_code
UNION ALL
SELECT base_year, end_year, link_rule, base_code, end_code, how, NULL FROM unlinked
ORDER BY base_year, link_rule, base_code, end_code;
