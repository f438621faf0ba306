-- C2 must have its wage part and its price part, each with a verdict.
SELECT 'missing C2 ' || need AS problem
FROM (VALUES ('c2_wage_part'), ('c2_price_part'), ('c2_hours_part')) AS t(need)
WHERE NOT EXISTS (
    SELECT 1 FROM marts.claims
    WHERE claim_id = 'C2' AND metric_id = need AND verdict IS NOT NULL
);
