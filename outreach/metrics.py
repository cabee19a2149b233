"""Prometheus metrics of the service (prometheus-client): every request by endpoint, method
and status, with its time; health/metrics.py adds what the database holds at each scrape.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR to an empty directory writable by
the service (the systemd unit does): each worker writes its counts there and a scrape sums
them, whichever worker answers it.
"""

import os

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("outreach_requests", "Requests answered", ["endpoint", "method", "status"])
DURATION = Histogram(
    "outreach_request_duration_seconds",
    "Time to answer a request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


#: The methods counted by name; any other is counted as "other" (the labels stay few).
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def observe(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    name = endpoint or "unknown"
    REQUESTS.labels(name, method if method in METHODS else "other", str(status)).inc()
    DURATION.labels(name).observe(seconds)


def exposition(*collectors) -> bytes:
    """The metrics in Prometheus's text format: the requests (of every worker), and the
    collectors given, asked now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    now = CollectorRegistry()
    for collector in collectors:
        now.register(collector)
    return generate_latest(requests) + generate_latest(now)
