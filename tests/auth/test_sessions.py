"""Sessions: an absolute lifetime, logging out everywhere, a change of rights ends sessions, the
admin unlocks and resets, and per-address limits on login attempts."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import LoginSession, User
from outreach.clock import now
from outreach.extensions import db, limiter
from outreach.rate_limits import DatabaseStorage, RateCount
from tests.addresses import address_for
from tests.factories import PASSWORD, login_session_of


def test_a_login_lasts_at_most_the_lifetime_however_active(app, world, login):
    client = login("falt_a")
    row = login_session_of(app, client)
    with app.app_context():
        stored = db.session.get(LoginSession, row.id)
        stored.started_at = now() - timedelta(hours=12, seconds=1)
        stored.last_seen_at = now()  # active a moment ago
        db.session.commit()
    response = client.get(address_for("home.start"))
    assert response.status_code == 302 and response.headers["Location"] == "/logga-in"
    assert "högst 12 timmar" in client.get(address_for("auth.login")).get_data(as_text=True)


def test_the_session_id_is_new_at_every_login(app, world, login):
    first, second = login("falt_a"), login("falt_a")
    assert login_session_of(app, first).token != login_session_of(app, second).token


def test_logging_out_everywhere_ends_every_session_of_the_user(app, world, login):
    tablet, phone, colleague = login("falt_a"), login("falt_a"), login("falt_a2")
    response = tablet.post(address_for("auth.logout_everywhere"))
    assert response.status_code == 303 and response.headers["Location"] == "/logga-in"
    assert tablet.get(address_for("home.start")).status_code == 302
    assert phone.get(address_for("home.start")).status_code == 302
    assert colleague.get(address_for("home.start")).status_code == 200
    with app.app_context():
        assert (
            db.session.execute(
                select(LoginSession).where(
                    LoginSession.user_id == world.worker_a, LoginSession.ended_at.is_(None)
                )
            ).first()
            is None
        )
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LOGOUT)
        ).scalar_one()
        assert event.detail == "everywhere, by the user"
    assert login("falt_a").get(address_for("home.start")).status_code == 200  # a new login works


def _edit(admin, user_id, **changes):
    data = {
        "display_name": "Fatima Fält",
        "email": "",
        "role": "field_worker",
        "teams": [],
        "is_enabled": "y",
    }
    data.update(changes)
    return admin.post(address_for("admin.user_detail", user_id=user_id), data=data)


def test_a_change_of_rights_ends_the_users_sessions(app, world, login):
    worker = login("falt_a")
    admin = login("admin")
    assert (
        _edit(admin, world.worker_a, display_name="Fatima F", teams=[world.team_a]).status_code
        == 303
    )
    assert (
        worker.get(address_for("home.start")).status_code == 200
    )  # a new name is no change of rights
    assert _edit(admin, world.worker_a, role="team_lead", teams=[world.team_a]).status_code == 303
    assert worker.get(address_for("home.start")).status_code == 302
    lead = login("falt_a")
    assert (
        lead.get(address_for("review.index")).status_code == 200
    )  # the new rights, after a new login
    assert (
        _edit(
            admin, world.worker_a, role="team_lead", teams=[world.team_a], is_enabled=""
        ).status_code
        == 303
    )
    assert lead.get(address_for("home.start")).status_code == 302
    assert login_refused(app, "falt_a")
    with app.app_context():
        changes = [
            e.changed
            for e in db.session.execute(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "user", AuditEvent.action == AuditAction.UPDATE
                )
            ).scalars()
        ]
        assert any(change.get("role") == ["field_worker", "team_lead"] for change in changes)


def login_refused(app, username) -> bool:
    response = app.test_client().post(
        address_for("auth.login"), data={"username": username, "password": PASSWORD}
    )
    return response.status_code == 422


def test_the_admin_cannot_take_away_their_own_rights(world, login):
    admin = login("admin")
    response = _edit(admin, world.admin, display_name="Anders", role="team_lead")
    assert response.status_code == 422
    assert "din egen roll" in response.get_data(as_text=True)


def test_a_lockout_expires_and_the_admin_can_lift_it(app, world, client, login):
    for _ in range(5):
        client.post(
            address_for("auth.login"), data={"username": "falt_a", "password": "fel-lösenord-1"}
        )
    assert login_refused(app, "falt_a")
    admin = login("admin")
    page = admin.get(address_for("admin.user_detail", user_id=world.worker_a)).get_data(
        as_text=True
    )
    assert "Låst fram till" in page
    assert (
        admin.post(
            address_for("admin.user_action", user_id=world.worker_a, action="las-upp")
        ).status_code
        == 303
    )
    assert not login_refused(app, "falt_a")
    # and without the admin: the lock runs out by itself
    for _ in range(5):
        client.post(
            address_for("auth.login"), data={"username": "falt_a", "password": "fel-lösenord-1"}
        )
    with app.app_context():
        user = db.session.get(User, world.worker_a)
        user.locked_until = now() - timedelta(seconds=1)
        db.session.commit()
    assert not login_refused(app, "falt_a")


def test_the_admin_resets_a_lost_second_factor(app, world, login):
    with app.app_context():
        user = db.session.get(User, world.worker_a)
        user.totp_secret, user.totp_confirmed_at = "JBSWY3DPEHPK3PXP", now()
        db.session.commit()
    worker, admin = login("falt_a"), login("admin")
    assert (
        admin.post(
            address_for("admin.user_action", user_id=world.worker_a, action="tvafaktor")
        ).status_code
        == 303
    )
    assert (
        worker.get(address_for("home.start")).status_code == 302
    )  # sessions made with the old factor end
    with app.app_context():
        user = db.session.get(User, world.worker_a)
        assert not user.has_two_factor and user.totp_secret is None
    client = app.test_client()
    app.config["REQUIRE_2FA"] = True
    try:
        response = client.post(
            address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
        )
        assert response.headers["Location"] == "/logga-in/tvafaktor"  # enrols again
    finally:
        app.config["REQUIRE_2FA"] = False


@pytest.fixture
def tight_limit(app):
    """Three login attempts a minute per address, from a clean slate."""
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    with app.app_context():
        limiter.reset()
    yield
    app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    with app.app_context():
        limiter.reset()


def test_login_attempts_are_limited_per_address(app, world, tight_limit):
    client = app.test_client()
    for _ in range(3):
        response = client.post(
            address_for("auth.login"), data={"username": "falt_a", "password": "fel-lösenord-1"}
        )
        assert response.status_code == 422
    refused = client.post(
        address_for("auth.login"), data={"username": "falt_a", "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert "För många försök" in refused.get_data(as_text=True)
    assert "Retry-After" in refused.headers
    # another address is not held back, and reading the form is not limited
    other = app.test_client()
    assert (
        other.post(
            address_for("auth.login"),
            data={"username": "falt_a", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.7"},
        ).status_code
        == 303
    )
    assert client.get(address_for("auth.login")).status_code == 200


def test_second_factor_attempts_are_limited_per_address(app, world, tight_limit):
    app.config["REQUIRE_2FA"] = True
    try:
        client = app.test_client()
        client.post(
            address_for("auth.login"),
            data={"username": "falt_a", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.8"},
        )
        statuses = [
            client.post(
                address_for("auth.enrol"),
                data={"code": "000000"},
                environ_base={"REMOTE_ADDR": "10.0.0.8"},
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [422, 422, 422, 429]
    finally:
        app.config["REQUIRE_2FA"] = False


def test_the_limits_database_counts_windows_and_forgets_ended_ones(app, world):
    storage = DatabaseStorage()
    with app.app_context():
        assert [storage.incr("ip/login", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get("ip/login") == 3
        assert storage.get_expiry("ip/login") > time.time() + 50
        assert storage.incr("ip/other", 0) == 1  # a window that has ended at once
        assert storage.get("ip/other") == 0
        assert storage.incr("ip/other", 60) == 1  # counts afresh
        storage.incr("ip/ended", 0)
        storage.incr("ip/login", 60)  # and forgets the windows that ended
        assert db.session.scalars(select(RateCount.key).order_by(RateCount.key)).all() == [
            "ip/login",
            "ip/other",
        ]
        storage.clear("ip/login")
        assert storage.get("ip/login") == 0 and storage.check()
        assert storage.reset() == 1


def test_a_limited_form_counts_after_the_request_wrote_its_last_seen_time(app, world, login):
    """A code sent after a while writes the session's last-seen time before the view, and
    the limit counts it anyway (on SQLite the count then joins the request's transaction)."""
    client = login("falt_a")
    row = login_session_of(app, client)
    with app.app_context():
        db.session.get(LoginSession, row.id).last_seen_at = now() - timedelta(minutes=5)
        db.session.commit()
        limiter.reset()
    answer = client.post(address_for("auth.new_recovery_codes"), data={"code": "000000"})
    assert answer.status_code == 422
    with app.app_context():
        assert db.session.get(LoginSession, row.id).last_seen_at > now() - timedelta(minutes=1)
        assert db.session.scalar(select(func.sum(RateCount.hits))) >= 1
