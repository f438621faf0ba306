-- The claim scorecard: one row per claim and metric (claims C1..C5 of docs/CLAIMS.md).
-- column claim_id: Claim id (C1..C5)
-- column claim: The claim in a sentence
-- column metric: What is measured
-- column claimed: The figure the claim states (NULL when the claim states none)
-- column measured: The figure computed from the data (NULL when not available)
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, or not available
-- column detail: The reason for the verdict, in one sentence
CREATE OR REPLACE TABLE marts.claims AS
SELECT * FROM marts.claims_c1
UNION ALL BY NAME SELECT * FROM marts.claims_c3
UNION ALL BY NAME SELECT * FROM marts.claims_c4
UNION ALL BY NAME SELECT * FROM marts.claims_c5
UNION ALL BY NAME SELECT * FROM marts.claims_c2
ORDER BY claim_id;
