"""Prometheus metrics served at GET /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

INBOUND_MESSAGES = Counter("p2k2_inbound_messages", "Inbound messages handled", ["channel"])
DUPLICATE_MESSAGES = Counter(
    "p2k2_duplicate_messages", "Inbound messages skipped as redelivered", ["channel"]
)
HANDLER_LATENCY = Histogram(
    "p2k2_handler_latency_seconds",
    "Time from receiving an inbound message to having its replies",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ERRORS = Counter("p2k2_errors", "Errors caught at an entry point's boundary", ["where"])
OUTBOX_DEPTH = Gauge("p2k2_outbox_depth", "Outbox messages waiting to be sent")
SENDS = Counter("p2k2_sends", "Outbox sends by channel and outcome", ["channel", "outcome"])
