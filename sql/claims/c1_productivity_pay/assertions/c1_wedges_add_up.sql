-- The three C1 wedge terms add up to the log gap in every period of every variant (no residual beyond rounding).
SELECT variant, frequency, period, log_gap - (labor_share_term + prices_term + inequality_term) AS residual
FROM marts.c1_series
WHERE abs(log_gap - (labor_share_term + prices_term + inequality_term)) > 1e-9;
