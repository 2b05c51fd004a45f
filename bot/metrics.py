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
OUTBOX_DEPTH = Gauge("p2k2_outbox_depth", "Outbox messages waiting to be sent", ["kind"])
SENDS = Counter("p2k2_sends", "Outbox sends by channel and outcome", ["channel", "outcome"])
REPLIES = Counter(
    "p2k2_replies",
    "Reply messages by how they ended: sent (at once), fell_back (left to the delivery worker), "
    "sent_late, window_closed, replaced_stale, unreachable, failed, gave_up",
    ["channel", "outcome"],
)
REPLY_LATENCY = Histogram(
    "p2k2_reply_latency_seconds",
    "Time from receiving an inbound message to the platform confirming its reply",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300),
)
