"""Prometheus metrics of one process, kept in their own registry (served by the runtime's
status server at /metrics). Counters live here, on the ground floor, so that any package can
count what it does; figures read from the database (outbox depth and age, overdue items) are
gathered when /metrics is scraped (runtime/status.py)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "bot_updates_total", "Telegram updates handled by the conversation", registry=REGISTRY
)
UPDATE_SECONDS = Histogram(
    "bot_update_seconds",
    "Time to handle one update (conversation and database, not sending)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
REPLIES = Counter("bot_replies_sent_total", "Direct replies sent to Telegram", registry=REGISTRY)
REPLIES_KEPT = Counter(
    "bot_replies_kept_total",
    "Replies Telegram could not take at once, kept in the outbox",
    registry=REGISTRY,
)
PUSHES = Counter("push_messages_sent_total", "Pushes sent by the push sender", registry=REGISTRY)
RETRY_AFTER = Counter(
    "telegram_429_total", "429 answers (flood waits) from Telegram", registry=REGISTRY
)
SERVER_ERRORS = Counter(
    "telegram_server_errors_total", "5xx and network errors from Telegram", registry=REGISTRY
)
LOCK_CONFLICTS = Counter(
    "conversation_conflicts_total",
    "Conflicts on a conversation: version checks lost (retried), advisory-lock waits",
    registry=REGISTRY,
)
LEADING = Gauge("runtime_leading", "1 while this process leads the deployment", registry=REGISTRY)
LEADER_CHANGES = Counter(
    "runtime_leader_changes_total", "Times this process became the leader", registry=REGISTRY
)
WORKER_RESTARTS = Counter(
    "runtime_worker_restarts_total",
    "Background workers restarted after a failure",
    ["worker"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge("outbox_pending", "Rows waiting in an outbox", ["outbox"], registry=REGISTRY)
OUTBOX_AGE = Gauge(
    "outbox_oldest_due_seconds",
    "Age of the oldest row that is due and still waiting",
    ["outbox"],
    registry=REGISTRY,
)
OVERDUE = Gauge(
    "items_overdue", "Items past their due time, per office", ["office"], registry=REGISTRY
)
WEB_REQUESTS = Counter(
    "web_requests_total",
    "Requests the staff console answered (redirects after actions not counted)",
    ["method", "status"],
    registry=REGISTRY,
)
