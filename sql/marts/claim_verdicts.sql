-- Every specification of every claim metric with its verdict, decided by the registry's rule (marts.claim_metrics): the values come from each claim's claims_<id> model (gathered in marts.claim_values). Rules, with ref = the claimed figure, else the registry's threshold, else 0: within (|x - ref| <= margin), at_least (x >= ref - margin), at_most (x <= ref + margin) and equivalence_below (at_most on the whole interval, which it requires). With an interval, the point and both ends are judged and must agree, else the verdict is inconclusive (the interval straddles the margin). A row marked not available keeps its reason; a row whose figure (or required interval) is missing is not testable.
-- column claim_id: Claim id
-- column metric_id: Metric id (marts.claim_metrics)
-- column specification: Readable label of the specification
-- column choice: The measurement dimension this specification varies ('headline' for the headline row)
-- column headline: True for the metric's headline specification
-- column measured: The figure measured (NULL when not available)
-- column ci_low: Lower end of the figure's interval (NULL when none)
-- column ci_high: Upper end of the figure's interval (NULL when none)
-- column period: Window measured
-- column detail: Why, in a sentence with the figures
-- column reference: The value the rule compares with: claimed, else threshold, else 0
-- column point_verdict: The rule applied to the figure alone
-- column verdict: supported, partly supported, not supported, inconclusive, not available or not testable
-- column reason: Why not available or not testable, or which end of the interval crosses the margin (NULL otherwise)
CREATE OR REPLACE TABLE marts.claim_verdicts AS
WITH v AS (
    SELECT v.*, m.rule, m.supported_margin AS s, m.partly_margin AS p,
           coalesce(m.claimed, m.threshold, 0.0) AS ref, m.metric_id IS NOT NULL AS registered
    FROM marts.claim_values v LEFT JOIN marts.claim_metrics m USING (claim_id, metric_id)
), judged AS (
    SELECT *,
           -- The rule as a function of one value: the point, and each end of the interval.
           list_transform([measured, ci_low, ci_high], lambda x: CASE
               WHEN x IS NULL THEN NULL
               WHEN rule = 'within' THEN CASE WHEN abs(x - ref) <= s THEN 'supported'
                                              WHEN abs(x - ref) <= p THEN 'partly supported'
                                              ELSE 'not supported' END
               WHEN rule = 'at_least' THEN CASE WHEN x >= ref - s THEN 'supported'
                                                WHEN x >= ref - p THEN 'partly supported'
                                                ELSE 'not supported' END
               WHEN rule IN ('at_most', 'equivalence_below') THEN CASE WHEN x <= ref + s THEN 'supported'
                                                                       WHEN x <= ref + p THEN 'partly supported'
                                                                       ELSE 'not supported' END
           END) AS classes
    FROM v
)
SELECT claim_id, metric_id, specification, choice, headline, measured, ci_low, ci_high, period, detail,
       ref AS reference, classes[1] AS point_verdict,
       CASE WHEN NOT registered THEN 'not testable'
            WHEN NOT available THEN 'not available'
            WHEN measured IS NULL THEN 'not testable'
            WHEN rule = 'equivalence_below' AND (ci_low IS NULL OR ci_high IS NULL) THEN 'not testable'
            WHEN ci_low IS NULL OR ci_high IS NULL THEN classes[1]
            WHEN classes[1] = classes[2] AND classes[1] = classes[3] THEN classes[1]
            ELSE 'inconclusive' END AS verdict,
       CASE WHEN NOT registered THEN 'metric ' || metric_id || ' is not in the claims registry'
            WHEN NOT available THEN coalesce(reason, 'the inputs are not held')
            WHEN measured IS NULL THEN coalesce(reason, 'no figure could be measured')
            WHEN rule = 'equivalence_below' AND (ci_low IS NULL OR ci_high IS NULL)
                THEN coalesce(reason, 'the rule needs a confidence interval and none was estimated')
            WHEN ci_low IS NOT NULL AND ci_high IS NOT NULL
                 AND NOT (classes[1] = classes[2] AND classes[1] = classes[3])
                THEN 'the interval ' || round(ci_low, 2) || ' to ' || round(ci_high, 2) || ' reads ' || classes[2]
                     || ' at its low end and ' || classes[3] || ' at its high end'
       END AS reason
FROM judged
ORDER BY claim_id, metric_id, NOT headline, choice, specification;
