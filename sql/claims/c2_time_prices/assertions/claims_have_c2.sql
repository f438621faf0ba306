-- C2 must have its wage part and its price part, each with a verdict.
SELECT 'missing C2 ' || need AS problem
FROM (VALUES ('wage part'), ('price part'), ('barber-hours per TV')) AS t(need)
WHERE NOT EXISTS (
    SELECT 1 FROM marts.claims
    WHERE claim_id = 'C2' AND metric LIKE need || '%' AND verdict IS NOT NULL
);
