"""/healthz and /readyz: what a load balancer and the monitoring ask, without a login."""

import uuid
from datetime import timedelta

from outreach.clock import now
from outreach.extensions import db
from outreach.health import services
from outreach.notifications.models import OutboxMail
from tests.addresses import address_for
from tests.factories import default_kommun


def _mail(**fields) -> OutboxMail:
    mail = OutboxMail(
        kommun_id=default_kommun().id,
        dedupe_key=f"test:{uuid.uuid4()}",
        to_address="a@b.test",
        subject="s",
        body="b",
    )
    for name, value in fields.items():
        setattr(mail, name, value)
    db.session.add(mail)
    db.session.commit()
    return mail


def test_healthz_answers_without_a_login(client):
    response = client.get(address_for("health.healthz"))
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database_the_migrations_and_the_outbox(client):
    response = client.get(address_for("health.readyz"))
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "checks": {"database": True, "migrations": True, "outbox": True},
    }


def test_readyz_fails_when_the_database_is_behind_the_code(client, monkeypatch):
    monkeypatch.setattr(services, "code_heads", lambda: frozenset({"9999"}))
    response = client.get(address_for("health.readyz"))
    assert response.status_code == 503
    assert response.json["checks"] == {"database": True, "migrations": False, "outbox": True}


def test_readyz_fails_when_mail_has_waited_too_long(app, client):
    with app.app_context():
        _mail(next_attempt_at=now() - timedelta(minutes=5))  # due a moment ago: fine
        assert client.get(address_for("health.readyz")).status_code == 200
        _mail(next_attempt_at=now() - timedelta(hours=1))  # nobody is delivering
        response = client.get(address_for("health.readyz"))
        assert response.status_code == 503 and response.json["checks"]["outbox"] is False


def test_sent_and_dead_mail_do_not_count_as_stuck(app, client):
    with app.app_context():
        long_ago = now() - timedelta(days=1)
        _mail(next_attempt_at=long_ago, sent_at=long_ago)
        _mail(next_attempt_at=long_ago, dead_at=long_ago, attempts=12)
    assert client.get(address_for("health.readyz")).status_code == 200
