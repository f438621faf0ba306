"""marts.claim_metrics: the metrics of the claims registry (loaded by decoupling.claims.registry),
a model of its own so the transform documents it and orders the verdict model after it."""

from __future__ import annotations

from decoupling.claims.registry import METRICS_DOC, METRICS_TABLE, build_metrics

TABLE = METRICS_TABLE
READS = ("marts.claim_registry",)
DOC = METRICS_DOC
build = build_metrics
