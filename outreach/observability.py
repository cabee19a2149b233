"""Logs: one JSON line per request and per event, with no personal data in any of them.

A line holds the request id (also sent back as X-Request-ID), the user's id, the route as a
pattern (`/ungdomar/<youth>`, never the address itself, whose query may hold a searched name),
the status and the duration. An error is logged by the kind of exception and where it was
raised, never its message: a message may repeat what somebody typed. SQL errors never carry
their values either (`hide_parameters` in config.py).
"""

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

from outreach import metrics

#: A request id a proxy in front may pass on; anything else is replaced by our own.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

#: The fields a log line may carry besides the message; whatever else a caller passes is
#: dropped, so a careless `extra=` cannot put a name into the log.
FIELDS = (
    "request_id",
    "user_id",
    "method",
    "route",
    "endpoint",
    "status",
    "duration_ms",
    "error",
    "where",
    "mail_id",
    "attempts",
)


class JsonLines(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info and record.exc_info[1] is not None:
            line.update(describe(record.exc_info[1]))
        return json.dumps(line, ensure_ascii=False)


class RequestFields(logging.Filter):
    """Stamps a line logged while serving a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and getattr(record, "request_id", None) is None:
            record.request_id = g.get("request_id")
        return True


def describe(error: BaseException) -> dict:
    """An exception as its kind and the frames it passed through (the app's own, and the
    last three), without its message."""
    frames = traceback.extract_tb(error.__traceback__)
    last = len(frames) - 3
    return {
        "error": f"{type(error).__module__}.{type(error).__qualname__}",
        "where": [
            f"{frame.filename}:{frame.lineno} in {frame.name}"
            for index, frame in enumerate(frames)
            if index >= last or _PACKAGE in frame.filename
        ],
    }


_PACKAGE = str(Path(__file__).parent) + "/"


def init_app(app: Flask) -> None:
    """Log the app's lines as JSON to standard error, and one line for every request."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestFields())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False  # once, in JSON, whatever else configures the root logger
    # The development server's own line per request shows the address with its query.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.before_request(_start)
    app.after_request(_log_request)


def _start() -> None:
    g.started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def request_id() -> str | None:
    """The id of the request being served (None outside a request)."""
    return g.get("request_id")


def _log_request(response):
    started = g.get("started")
    if started is None:  # refused before our first hook ran
        _start()
        started = g.started
    response.headers["X-Request-ID"] = g.request_id
    if request.endpoint == "static":
        return response
    # The user as loaded for this request, by its key: asking current_user, or the user's id
    # after the request has committed, would read the user again.
    user = sa_inspect(g.get("_login_user"), raiseerr=False)
    rule = request.url_rule
    seconds = time.perf_counter() - started
    metrics.observe(request.endpoint, request.method, response.status_code, seconds)
    logging.getLogger("outreach.requests").info(
        "request",
        extra={
            "request_id": g.request_id,
            "user_id": user.identity[0] if user is not None and user.identity else None,
            "method": request.method,
            "route": rule.rule if rule is not None else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
    return response
