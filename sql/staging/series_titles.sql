-- One title for every series id: the catalog title, or the published label of a series outside the catalog (each OEWS occupation and measure).
-- column series_id: Series id
-- column title: Title
CREATE OR REPLACE VIEW staging.series_titles AS
SELECT id AS series_id, title FROM meta.series
UNION ALL
SELECT l.series_id, any_value(l.label)
FROM meta.series_labels l
WHERE l.series_id NOT IN (SELECT id FROM meta.series)
GROUP BY l.series_id;
