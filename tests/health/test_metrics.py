"""/metrics: Prometheus's text with the requests by endpoint, the outbox, the handoffs near and
past their deadline per kommun and the workers' last runs; only a token or the operator's
networks reach it, and it holds no personal data."""

import ipaddress
from datetime import timedelta

import pytest
from sqlalchemy import update

from outreach import workers
from outreach.auth.models import User
from outreach.clock import now
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from tests import factories
from tests.addresses import address_for

TOKEN = "metrics-token-for-the-tests-0123456789"


@pytest.fixture
def scraping(app):
    saved = app.config["METRICS_TOKEN"], app.config["METRICS_NETWORKS"]
    app.config.update(METRICS_TOKEN=TOKEN, METRICS_NETWORKS=(ipaddress.ip_network("10.9.0.0/16"),))
    yield app
    app.config["METRICS_TOKEN"], app.config["METRICS_NETWORKS"] = saved


def _scrape(app, **headers):
    return app.test_client().get(address_for("health.metrics_page"), **headers)


def test_only_a_token_or_the_operator_s_network_reaches_the_metrics(scraping):
    assert _scrape(scraping).status_code == 404
    assert _scrape(scraping, headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert _scrape(scraping, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    inside = _scrape(scraping, environ_base={"REMOTE_ADDR": "10.9.3.4"})
    assert inside.status_code == 200
    assert _scrape(scraping, environ_base={"REMOTE_ADDR": "10.8.3.4"}).status_code == 404


def test_nobody_reaches_them_when_neither_is_set(app):
    assert _scrape(app, headers={"Authorization": "Bearer "}).status_code == 404
    assert _scrape(app, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_the_figures(scraping, world, adult):
    with scraping.app_context():
        from outreach.youths.models import Youth

        youth = db.session.execute(db.select(Youth)).scalar_one()
        alias = youth.alias
        db.session.get(User, world.caseworker).email = "handlaggare@vpc.test"
        handoff = factories.send_handoff(db.session.get(User, world.worker_a), youth)
        # 20 of its 24 hours have passed: near its deadline
        db.session.execute(
            update(Handoff).values(
                sent_at=now() - timedelta(hours=20),
                first_contact_due_at=now() + timedelta(hours=4),
            )
        )
        workers.beat(workers.CLOCK)
        db.session.commit()
        assert handoff.id
    scraping.test_client().get(address_for("auth.login"))
    text = _scrape(scraping, headers={"Authorization": f"Bearer {TOKEN}"}).get_data(as_text=True)
    assert 'outreach_requests_total{endpoint="auth.login",method="GET",status="200"}' in text
    assert 'outreach_request_duration_seconds_bucket{endpoint="auth.login"' in text
    assert 'outreach_handoffs_near_deadline{kommun="9999"} 1.0' in text
    assert 'outreach_handoffs_overdue{kommun="9999"} 0.0' in text
    assert "outreach_outbox_waiting 1.0" in text  # the mail to VPC about the handoff
    assert "outreach_outbox_dead_letters 0.0" in text
    assert 'outreach_worker_last_run_timestamp_seconds{worker="clock"}' in text
    # counts only: no name of anyone, no youth
    assert "Ali" not in text and "falt_a" not in text and alias not in text
