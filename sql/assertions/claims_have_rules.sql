-- Every scorecard row states its rule and how many of its specifications agree; every metric has exactly one headline specification.
SELECT claim_id || ' ' || metric_id || ': no rule or share_agreeing' AS problem
FROM marts.claims WHERE coalesce(rule, '') = '' OR share_agreeing IS NULL
UNION ALL
SELECT claim_id || ' ' || metric_id || ': ' || count(*) FILTER (WHERE headline) || ' headline rows'
FROM marts.claim_values GROUP BY claim_id, metric_id HAVING count(*) FILTER (WHERE headline) <> 1;
