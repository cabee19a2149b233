"""Mail under faults: an SMTP server that says "later" (4xx), "never" (5xx), is slow or stays
down. Mail is delayed and retried with backoff, set aside for the admin after a limit with an
alert on every admin page, and sent again from there: never lost, never sent twice."""

from datetime import timedelta

from sqlalchemy import select

from outreach.clock import now
from outreach.extensions import db
from outreach.notifications.cli import deliver_once
from outreach.notifications.models import OutboxMail
from tests.addresses import address_for


def _mails(app) -> list[OutboxMail]:
    with app.app_context():
        mails = db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars().all()
        db.session.expunge_all()
        return mails


def _backoff_passes(app) -> None:
    """Move every waiting mail's next attempt into the past, as time would."""
    with app.app_context():
        for mail in db.session.execute(select(OutboxMail)).scalars():
            mail.next_attempt_at -= timedelta(hours=2)
        db.session.commit()


def _wait(mail: OutboxMail) -> timedelta:
    return mail.next_attempt_at - now()


def _round(app):
    with app.app_context():
        return deliver_once()


def test_a_server_saying_later_delays_mail_with_growing_waits(app, handoff, smtp):
    smtp.recipient_reply = "451 4.3.0 Try again later"
    assert _round(app) == (0, 2, 0)
    assert all(_wait(mail) <= timedelta(minutes=2) for mail in _mails(app))
    _backoff_passes(app)
    assert _round(app) == (0, 2, 0)
    mails = _mails(app)
    assert all(mail.attempts == 2 and "451" in mail.last_error for mail in mails)
    # the second wait (4 minutes) is longer than the first (2 minutes)
    assert all(_wait(mail) > timedelta(minutes=3) for mail in mails)
    smtp.recipient_reply = "250 OK"
    _backoff_passes(app)
    assert _round(app) == (2, 0, 0)
    assert _round(app) == (0, 0, 0)
    assert len(smtp.messages) == 2


def test_a_server_refusing_for_good_sets_the_mail_aside_and_alerts_the_admin(
    app, handoff, smtp, login
):
    smtp.recipient_reply = "550 5.1.1 No such mailbox"
    assert _round(app) == (0, 0, 2)
    assert all(mail.dead_at is not None and "550" in mail.last_error for mail in _mails(app))
    _backoff_passes(app)
    assert _round(app) == (0, 0, 0)  # not retried by itself
    admin = login("admin")
    page = admin.get(address_for("admin.overview")).get_data(as_text=True)
    assert "2 utskick kunde inte levereras" in page
    listing = admin.get(address_for("admin.dead_letters")).get_data(as_text=True)
    assert "handlaggare@vpc.test" in listing and "550 5.1.1" in listing
    # a field worker sees no alert
    assert "kunde inte levereras" not in login("falt_a").get(address_for("home.start")).get_data(
        as_text=True
    )

    # the address is fixed at the other end; the admin sends both again
    smtp.recipient_reply = "250 OK"
    for mail in _mails(app):
        response = admin.post(address_for("admin.send_mail_again", mail_id=mail.id))
        assert response.status_code == 303
    assert "kunde inte levereras" not in admin.get(address_for("admin.overview")).get_data(
        as_text=True
    )
    assert _round(app) == (2, 0, 0)
    assert _round(app) == (0, 0, 0)
    assert len(smtp.messages) == 2
    assert all(mail.sent_at is not None and mail.dead_at is None for mail in _mails(app))


def test_a_server_down_past_the_limit_sets_the_mail_aside(app, handoff, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    smtp.stop()
    assert _round(app) == (0, 2, 0)
    _backoff_passes(app)
    assert _round(app) == (0, 2, 0)
    _backoff_passes(app)
    assert _round(app) == (0, 0, 2)
    mails = _mails(app)
    assert all(mail.attempts == 3 and mail.dead_at and mail.sent_at is None for mail in mails)
    assert "ConnectionRefusedError" in mails[0].last_error
    smtp.start()
    _backoff_passes(app)
    assert _round(app) == (0, 0, 0)  # set aside: waits for the admin
    assert smtp.messages == []


def test_a_slow_server_is_given_up_on_for_this_round_and_sends_later(
    app, handoff, smtp, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 0.5)
    smtp.delay = 1.5
    assert _round(app) == (0, 2, 0)
    assert all("timed out" in mail.last_error for mail in _mails(app))
    smtp.delay = 0.1  # slow, but within the timeout
    _backoff_passes(app)
    assert _round(app) == (2, 0, 0)
    assert _round(app) == (0, 0, 0)
    assert len(smtp.messages) == 2


def test_the_worker_loop_waits_out_a_database_outage(app, handoff, smtp, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from outreach.notifications import cli

    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        raise KeyboardInterrupt  # stop the loop after its second round

    monkeypatch.setattr(cli, "deliver_once", flaky)
    monkeypatch.setattr(cli.time, "sleep", lambda _seconds: None)
    result = app.test_cli_runner().invoke(args=["notifications", "send", "--loop"])
    assert len(calls) == 2  # the outage did not end the loop
    assert isinstance(result.exception, KeyboardInterrupt) or result.exit_code != 0


def test_a_database_gone_just_after_a_send_does_not_send_the_mail_twice(
    app, handoff, smtp, monkeypatch
):
    """The SMTP server took the mail, and the database restarts before it is recorded as
    sent: the worker records it when the database is back, and never sends it again."""
    from sqlalchemy.exc import OperationalError

    from outreach.notifications import cli, services

    mark_sent, failures = services.mark_sent, []

    def database_restarting(mail, moment):
        if len(failures) < 3:  # three tries while the database is away
            failures.append(mail.id)
            raise OperationalError("UPDATE", {}, Exception("the database system is shutting down"))
        mark_sent(mail, moment)

    monkeypatch.setattr(services, "mark_sent", database_restarting)
    monkeypatch.setattr(cli, "RECORD_SENT_RETRY_SECONDS", 0)
    assert _round(app) == (2, 0, 0)
    assert len(set(failures)) == 1 and len(failures) == 3  # one mail, recorded at the 4th try
    assert all(mail.sent_at is not None for mail in _mails(app))
    _backoff_passes(app)
    with app.app_context():  # and were its claim to run out, nothing is due again
        for mail in db.session.execute(select(OutboxMail)).scalars():
            mail.claimed_until = None
        db.session.commit()
    assert _round(app) == (0, 0, 0)
    assert len(smtp.messages) == 2
