"""/healthz and /readyz: plain answers for machines, without personal data or a login. The
operator's page has a view module of its own (operations_views.py), imported here so that its
routes join the area's."""

from flask import Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST

from outreach import metrics
from outreach.errors import database_unavailable
from outreach.health import (  # noqa: F401 (the operator's page's routes)
    bp,
    operations_views,
    services,
)
from outreach.health import metrics as health_metrics
from outreach.policy import public
from outreach.transaction import forget


@bp.get("/healthz")
@public
def healthz():
    """The process is up and serving (asks nothing of the database)."""
    return jsonify(status="ok")


@bp.get("/metrics")
@public
def metrics_page():
    """Prometheus metrics, for the operator's monitoring only (a token or their networks)."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not health_metrics.may_scrape(token, request.remote_addr, current_app.config):
        abort(404)
    return Response(
        metrics.exposition(health_metrics.DatabaseCollector()), mimetype=CONTENT_TYPE_LATEST
    )


@bp.get("/readyz")
@public
def readyz():
    """Ready for traffic: the database answers, its migrations are current, mail is moving."""
    try:
        checks = services.readiness()
    except Exception as error:
        if not database_unavailable(error):
            raise
        forget()
        checks = {"database": False, "migrations": False, "outbox": False}
    ready = all(checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
