"""Mail through a relay as a kommun's own or Exchange Online: STARTTLS or TLS from the start,
the relay's certificate checked, and a login. A refused login or TLS is the deployment's
settings, not the mail's: the mail stays in the outbox with the reason and goes once they are
put right; the password never crosses unencrypted."""

from datetime import timedelta

import pytest
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from outreach.extensions import db
from outreach.notifications.cli import Round, deliver_once, next_wait
from outreach.notifications.models import OutboxMail
from tests.servers import Inbox, free_port, tls_certificate

USERNAME, PASSWORD = "outreach@malmo.se", "rätt-lösenord-1"
SETTINGS = (
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_TIMEOUT",
    "SMTP_TLS",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_CA_FILE",
)


class Logins:
    """The relay's check of a login (aiosmtpd's authenticator): the logins tried."""

    def __init__(self):
        self.tried: list[tuple[str, bool]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        right = auth_data.login == USERNAME.encode() and auth_data.password == PASSWORD.encode()
        self.tried.append((auth_data.login.decode(), right))
        return AuthResult(success=right, handled=False)  # not handled: aiosmtpd answers 535


@pytest.fixture
def relay_at(app, tmp_path):
    """relay_at(offers, only_login=False, **settings): a real relay on localhost that requires
    a login (AUTH PLAIN and LOGIN, or LOGIN only) and offers "starttls", "tls" from the start,
    or "none"; the app's mail goes there with TLS as the relay offers it, the right login and
    the relay's certificate trusted, unless `settings` say otherwise."""
    certificate, context = tls_certificate(tmp_path)
    saved = {key: app.config[key] for key in SETTINGS}
    started: list[Inbox] = []

    def start(offers: str, only_login: bool = False, **settings) -> Inbox:
        inbox, logins = Inbox(), Logins()
        options = {"authenticator": logins, "auth_required": True}
        if only_login:  # as Exchange Online: AUTH LOGIN, no PLAIN
            options["auth_exclude_mechanism"] = ["PLAIN"]
        if offers == "starttls":
            options |= {"tls_context": context, "require_starttls": True}
        elif offers == "tls":  # (aiosmtpd does not count TLS from the start as TLS for AUTH)
            options |= {"ssl_context": context, "auth_require_tls": False}
        inbox.start(free_port(), **options)
        inbox.logins = logins
        started.append(inbox)
        app.config.update(
            {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": inbox.port,
                "SMTP_TIMEOUT": 5,
                "SMTP_TLS": offers,
                "SMTP_USERNAME": USERNAME,
                "SMTP_PASSWORD": PASSWORD,
                "SMTP_CA_FILE": str(certificate),
                **settings,
            }
        )
        return inbox

    yield start
    for inbox in started:
        inbox.stop()
    app.config.update(saved)


def _round(app):
    with app.app_context():
        return deliver_once()


def _waiting(app) -> list[OutboxMail]:
    """The outbox's mails, due again (as time would pass)."""
    with app.app_context():
        mails = db.session.execute(select(OutboxMail).order_by(OutboxMail.id)).scalars().all()
        for mail in mails:
            mail.next_attempt_at -= timedelta(hours=2)
        db.session.flush()
        db.session.expunge_all()
        db.session.commit()
        return mails


@pytest.mark.parametrize("offers", ["starttls", "tls"])
def test_mail_goes_through_a_relay_with_tls_and_a_login(app, handoff, relay_at, offers):
    relay = relay_at(offers)
    assert _round(app) == (2, 0, 0)
    assert sorted(to for (to,), _body in relay.messages) == [
        "chef@vpc.test",
        "handlaggare@vpc.test",
    ]
    assert relay.logins.tried == [(USERNAME, True), (USERNAME, True)]


def test_a_relay_that_takes_only_auth_login_takes_a_password_with_swedish_letters(
    app, handoff, relay_at
):
    relay = relay_at("starttls", only_login=True)
    assert _round(app) == (2, 0, 0)
    assert relay.logins.tried == [(USERNAME, True), (USERNAME, True)]


def test_a_wrong_password_keeps_the_mail_with_the_reason_until_it_is_put_right(
    app, handoff, relay_at
):
    relay = relay_at("starttls", SMTP_PASSWORD="fel-losenord")
    assert _round(app) == (0, 1, 0)  # the other mail waits untried: one failed login a round
    assert relay.logins.tried == [(USERNAME, False)]
    tried, untried = _waiting(app)
    assert tried.sent_at is None and tried.dead_at is None and tried.attempts == 1
    assert "535" in tried.last_error
    assert "the relay refused the login: check OUTREACH_SMTP_USERNAME" in tried.last_error
    assert untried.attempts == 0 and untried.last_error == ""
    assert relay.messages == []
    app.config["SMTP_PASSWORD"] = PASSWORD
    assert _round(app) == (2, 0, 0)
    assert len(relay.messages) == 2


def test_a_refused_login_is_never_set_aside_as_refused_for_good(app, handoff, relay_at):
    relay_at("starttls", SMTP_PASSWORD="fel-losenord")
    for _attempt in range(4):
        assert _round(app) == (0, 1, 0)
        _waiting(app)
    # tried again each round (the same mail first), never refused for good at once
    assert [(mail.dead_at, mail.attempts) for mail in _waiting(app)] == [(None, 4), (None, 0)]


def test_a_relay_that_wants_tls_first_is_a_setting_not_a_refused_mail(app, handoff, relay_at):
    """Sent in the clear without a login, the relay answers "530 Must issue a STARTTLS
    command first" to the sender: the mail is not set aside as refused for good."""
    relay = relay_at("starttls", SMTP_TLS="none", SMTP_USERNAME="", SMTP_PASSWORD="")
    assert _round(app) == (0, 1, 0)
    tried = _waiting(app)[0]
    assert tried.dead_at is None and "530" in tried.last_error
    assert "the relay wants TLS or a login first: check OUTREACH_SMTP_TLS" in tried.last_error
    assert relay.messages == []


def test_a_password_is_never_sent_without_tls(app, handoff, relay_at):
    relay = relay_at("none", SMTP_TLS="none")
    assert _round(app) == (0, 1, 0)
    assert "the password would cross the network unencrypted" in _waiting(app)[0].last_error
    assert relay.messages == [] and relay.logins.tried == []


def test_a_relay_without_starttls_gets_no_mail_and_no_password(app, handoff, relay_at):
    relay = relay_at("none", SMTP_TLS="starttls")
    assert _round(app) == (0, 1, 0)
    tried = _waiting(app)[0]
    assert "STARTTLS" in tried.last_error and tried.dead_at is None
    assert "check OUTREACH_SMTP_TLS and OUTREACH_SMTP_PORT" in tried.last_error
    assert relay.messages == [] and relay.logins.tried == []


@pytest.mark.parametrize("offers", ["starttls", "tls"])
def test_a_relay_whose_certificate_is_not_trusted_gets_no_mail_and_no_password(
    app, handoff, relay_at, offers
):
    relay = relay_at(offers, SMTP_CA_FILE="")
    assert _round(app) == (0, 1, 0)
    tried = _waiting(app)[0]
    assert "CERTIFICATE_VERIFY_FAILED" in tried.last_error
    assert "give the authority in OUTREACH_SMTP_CA_FILE" in tried.last_error
    assert relay.messages == [] and relay.logins.tried == []


def test_a_certificate_for_another_name_is_refused(app, handoff, relay_at):
    relay = relay_at("starttls")
    app.config["SMTP_HOST"] = "localhost"  # the relay's address, not its certificate's name
    assert _round(app) == (0, 1, 0)
    assert "not for its name" in _waiting(app)[0].last_error
    assert relay.messages == []


def test_an_authorities_file_that_cannot_be_read_is_named(app, handoff, relay_at, tmp_path):
    relay = relay_at("starttls", SMTP_CA_FILE=str(tmp_path / "saknas.pem"))
    assert _round(app) == (0, 1, 0)
    assert "OUTREACH_SMTP_CA_FILE" in _waiting(app)[0].last_error
    assert relay.messages == []


def test_the_worker_waits_longer_while_every_mail_it_tries_fails():
    waits, wait = [], 10
    for done in [Round(0, 1), Round(0, 1), Round(0, 2), Round(0, 1), Round(0, 1), Round(0, 1)]:
        wait = next_wait(done, 10, wait)
        waits.append(wait)
    assert waits == [20, 40, 80, 160, 320, 600]
    assert next_wait(Round(1, 1), 10, wait) == 10  # one went: the relay works again
    assert next_wait(Round(0, 0), 10, wait) == 10  # nothing to send
