-- The claim scorecard: one row per claim and metric (claims of docs/CLAIMS.md), the headline specification's verdict under the registry's stated rule (marts.claim_metrics), with how many of the metric's specifications agree and which measurement choice changes the verdict or moves the figure most (marts.claim_verdicts). A registered metric without any value row still appears, as not available.
-- column claim_id: Claim id (C1..)
-- column claim: The claim in the project's words (registry)
-- column metric: What is measured (the registry's label)
-- column claimed: The figure the claim states (NULL when it states none)
-- column measured: The headline figure computed from the data (NULL when not available)
-- column unit: Unit of claimed and measured
-- column period: Window measured
-- column verdict: supported, partly supported, not supported, inconclusive, not available or not testable
-- column detail: The reason for the verdict, in one sentence with the figures (with the reason when not available or not testable)
-- column rule: The full rule with its margin, saying when it is one-sided (registry rule_text)
-- column share_agreeing: Share of the metric's specifications whose verdict equals the headline's (0 to 1), among those that could be judged (all of them when none could)
-- column moves_most: The measurement choice that changes the verdict most often, else the one that moves the figure most (specifications that could be judged only)
-- column metric_id: Metric id (registry)
-- column position: Order of the metric within its claim (registry)
-- column rule_kind: Rule kind: within, at_least, at_most or equivalence_below
-- column rule_phrase: The rule in a few words, for page 1
-- column margin: The margin for supported, in the metric's unit
-- column partly_margin: The margin for partly supported, in the metric's unit
-- column reference: The value the rule compares with (claimed, else threshold, else 0)
-- column ci_low: Lower end of the headline figure's interval (NULL when none)
-- column ci_high: Upper end of the headline figure's interval (NULL when none)
-- column why: Why that margin
-- column specifications: The set of specifications, in words (registry)
-- column n_specifications: Specifications evaluated (rows of marts.claim_verdicts for the metric)
-- column claim_verdict: The claim's verdict over its metrics: supported (all supported), not supported (all not supported), inconclusive (all inconclusive), not available (none measurable), else partly supported
-- column bottom_line: The registry's plain-language bottom line for the claim's verdict
CREATE OR REPLACE TABLE marts.claims AS
WITH head AS (
    SELECT * FROM marts.claim_verdicts WHERE headline
), agree AS (  -- over the specifications that could be judged (all of them when none could)
    SELECT a.claim_id, a.metric_id, count(*) AS n,
           coalesce(avg(CASE WHEN a.verdict = h.verdict THEN 1.0 ELSE 0.0 END)
                        FILTER (WHERE a.verdict NOT IN ('not available', 'not testable')),
                    avg(CASE WHEN a.verdict = h.verdict THEN 1.0 ELSE 0.0 END)) AS share
    FROM marts.claim_verdicts a JOIN head h USING (claim_id, metric_id)
    GROUP BY ALL
), movers AS (
    SELECT a.claim_id, a.metric_id, a.choice,
           count(*) FILTER (WHERE a.verdict <> h.verdict) AS changed, count(*) AS n,
           max(abs(a.measured - h.measured)) AS shift
    FROM marts.claim_verdicts a JOIN head h USING (claim_id, metric_id)
    WHERE NOT a.headline AND a.verdict NOT IN ('not available', 'not testable')
    GROUP BY ALL
), mover AS (
    SELECT claim_id, metric_id,
           arg_max(choice || CASE WHEN changed > 0
                                  THEN ' (changes the verdict in ' || changed || ' of ' || n || ')'
                                  ELSE ' (moves the figure by up to ' || round(shift, 1) || '; verdict unchanged)' END,
                   [changed::DOUBLE, coalesce(shift, 0.0)]) AS moves_most
    FROM movers GROUP BY ALL
), rows AS (
    SELECT m.claim_id, r.claim, m.label AS metric, m.claimed, h.measured, m.unit,
           h.period, coalesce(h.verdict, 'not available') AS verdict,
           CASE WHEN h.metric_id IS NULL THEN 'Not available: no specification of this metric was computed.'
                WHEN h.verdict IN ('not available', 'not testable')
                    THEN upper(h.verdict[1]) || h.verdict[2:] || ': ' || h.reason || '.' || coalesce(' ' || h.detail, '')
                WHEN h.verdict = 'inconclusive' THEN coalesce(h.detail || ' ', '') || 'Inconclusive: ' || h.reason || '.'
                ELSE h.detail END AS detail,
           m.rule_text AS rule, coalesce(a.share, 0.0) AS share_agreeing,
           coalesce(mv.moves_most, 'none (one specification)') AS moves_most,
           m.metric_id, m.position, m.rule AS rule_kind, m.rule_phrase, m.supported_margin AS margin,
           m.partly_margin, coalesce(m.claimed, m.threshold, 0.0) AS reference, h.ci_low, h.ci_high,
           m.why, m.specifications, coalesce(a.n, 0) AS n_specifications
    FROM marts.claim_metrics m
    JOIN marts.claim_registry r USING (claim_id)
    LEFT JOIN head h USING (claim_id, metric_id)
    LEFT JOIN agree a USING (claim_id, metric_id)
    LEFT JOIN mover mv USING (claim_id, metric_id)
), overall AS (
    SELECT claim_id,
           CASE WHEN bool_and(verdict IN ('not available', 'not testable')) THEN 'not available'
                WHEN bool_and(verdict = 'supported' OR verdict IN ('not available', 'not testable')) THEN 'supported'
                WHEN bool_and(verdict = 'not supported' OR verdict IN ('not available', 'not testable')) THEN 'not supported'
                WHEN bool_and(verdict = 'inconclusive' OR verdict IN ('not available', 'not testable')) THEN 'inconclusive'
                ELSE 'partly supported' END AS claim_verdict
    FROM rows GROUP BY claim_id
)
SELECT rows.*, o.claim_verdict,
       CASE o.claim_verdict WHEN 'supported' THEN r.bottom_line_supported
                            WHEN 'partly supported' THEN r.bottom_line_partly_supported
                            WHEN 'not supported' THEN r.bottom_line_not_supported
                            WHEN 'inconclusive' THEN r.bottom_line_inconclusive
                            ELSE r.bottom_line_not_available END AS bottom_line
FROM rows JOIN overall o USING (claim_id) JOIN marts.claim_registry r USING (claim_id)
ORDER BY claim_id, position;
