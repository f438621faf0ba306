-- C1 must have a productivity-growth row and a pay-growth row (the DESIGN contract).
SELECT 'missing C1 ' || need AS problem
FROM (VALUES ('c1_productivity_growth'), ('c1_pay_growth')) AS t(need)
WHERE NOT EXISTS (
    SELECT 1 FROM marts.claims WHERE claim_id = 'C1' AND metric_id = need
);
