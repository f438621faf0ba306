-- Hours worked in the total U.S. economy by all workers and by employees, quarterly (values at an annual rate), all from one release of the BLS total-economy hours workbook. Employee hours (the series TOTAL_ECONOMY_HOURS_EMPLOYEES) = hours of all workers less nonfarm proprietors, nonfarm unpaid family workers and farm: their hours earn proprietors' income or nothing, not compensation of employees. BLS publishes farm hours only for hired workers and farm operators together, so all farm hours are left out (employees_with_farm keeps them all: the two bound the truth). Armed forces stay in (their pay is compensation of employees in NIPA). Employee hours are NULL unless the four inputs' latest downloads state one release of the workbook (a partial refresh of one of them leaves them out until all four are refreshed).
-- column date: First day of the quarter
-- column all_workers [billions of hours, annual rate; BLS total-economy hours, TOTAL_ECONOMY_HOURS_ALL_WORKERS]: Hours of all workers, total U.S. economy (employees, proprietors, unpaid family workers, armed forces)
-- column nonfarm_proprietors [billions of hours, annual rate; BLS total-economy hours, TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS]: Hours of nonfarm proprietors (non-employees)
-- column unpaid_family_workers [billions of hours, annual rate; BLS total-economy hours, TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS]: Hours of nonfarm unpaid family workers (non-employees)
-- column farm [billions of hours, annual rate; BLS total-economy hours, TOTAL_ECONOMY_HOURS_FARM]: Hours of all farm workers (hired workers and operators together)
-- column employees [billions of hours, annual rate; computed from the BLS total-economy hours]: TOTAL_ECONOMY_HOURS_EMPLOYEES = all_workers - nonfarm_proprietors - unpaid_family_workers - farm; NULL unless one_release
-- column employees_with_farm [billions of hours, annual rate; computed from the BLS total-economy hours]: all_workers - nonfarm_proprietors - unpaid_family_workers: the upper bound, every farm hour counted as an employee's; NULL unless one_release
-- column employee_share_pct [percent; computed]: employees / all_workers x 100
-- column one_release [; meta.downloads]: True when the latest downloads of the four inputs state the same release (the 'released YYYY-MM-DD' a snapshot file or the workbook states, else the download's vintage text, e.g. the live file's Last-Modified)
-- column release: The release the four inputs share (NULL when they do not)
CREATE OR REPLACE VIEW staging.total_economy_hours AS
WITH latest AS (
    SELECT series_id, arg_max(coalesce(vintage, sha256), accessed_at) AS vintage
    FROM meta.downloads
    WHERE series_id IN ('TOTAL_ECONOMY_HOURS_ALL_WORKERS', 'TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS',
                        'TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS', 'TOTAL_ECONOMY_HOURS_FARM')
    GROUP BY series_id
), releases AS (
    SELECT count(*) = 4 AND count(DISTINCT r) = 1 AS one_release,
           CASE WHEN count(*) = 4 AND count(DISTINCT r) = 1 THEN any_value(r) END AS release
    FROM (SELECT coalesce(nullif(regexp_extract(vintage, 'released (\d{4}-\d{2}-\d{2})', 1), ''), vintage) AS r
          FROM latest)
), q AS (
    SELECT date,
           max(value) FILTER (WHERE series_id = 'TOTAL_ECONOMY_HOURS_ALL_WORKERS') AS all_workers,
           max(value) FILTER (WHERE series_id = 'TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS') AS nonfarm_proprietors,
           max(value) FILTER (WHERE series_id = 'TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS') AS unpaid_family_workers,
           max(value) FILTER (WHERE series_id = 'TOTAL_ECONOMY_HOURS_FARM') AS farm
    FROM staging.observations
    WHERE series_id IN ('TOTAL_ECONOMY_HOURS_ALL_WORKERS', 'TOTAL_ECONOMY_HOURS_NONFARM_PROPRIETORS',
                        'TOTAL_ECONOMY_HOURS_UNPAID_FAMILY_WORKERS', 'TOTAL_ECONOMY_HOURS_FARM')
    GROUP BY date
)
SELECT q.date, q.all_workers, q.nonfarm_proprietors, q.unpaid_family_workers, q.farm,
       CASE WHEN r.one_release THEN q.all_workers - q.nonfarm_proprietors - q.unpaid_family_workers - q.farm END AS employees,
       CASE WHEN r.one_release THEN q.all_workers - q.nonfarm_proprietors - q.unpaid_family_workers END AS employees_with_farm,
       CASE WHEN r.one_release
            THEN 100 * (q.all_workers - q.nonfarm_proprietors - q.unpaid_family_workers - q.farm) / q.all_workers END AS employee_share_pct,
       r.one_release, r.release
FROM q CROSS JOIN releases r
ORDER BY q.date;
