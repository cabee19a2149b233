"""`flask ops check`: a production configuration in order passes; each thing that is wrong is
named, with what to do, and the command fails."""

import pytest

from outreach import workers
from outreach.extensions import db
from tests import factories
from tests.servers import Inbox, free_port

READY = {
    "SECRET_KEY": "k" * 48,
    "FIELD_KEY": "f" * 48,
    "DEMO_MODE": False,
    "SESSION_COOKIE_SECURE": True,
    "REQUIRE_2FA": True,
    "BASE_URL": "https://outreach.malmo.se",
}


@pytest.fixture
def production(app, openid_provider):
    """The app configured for production, with an SMTP server, the kommun's identity provider
    and both workers just run."""
    inbox, port = Inbox(), free_port()
    inbox.start(port)
    saved = dict(app.config)
    app.config.update(READY, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
    with app.app_context():
        factories.make_identity_provider(openid_provider.issuer)
        workers.beat(workers.CLOCK)
        workers.beat(workers.MAIL)
        db.session.commit()
    yield app
    app.config.clear()
    app.config.update(saved)
    inbox.stop()


def _check(app):
    return app.test_cli_runner().invoke(args=["ops", "check"])


def test_a_configuration_in_order_is_ready(production):
    result = _check(production)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ready:")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": "kort"}, "OUTREACH_SECRET_KEY is missing or shorter than 32"),
        ({"FIELD_KEY": None}, "OUTREACH_FIELD_KEY is missing"),
        ({"FIELD_KEY": "k" * 48}, "are the same"),
        ({"DEMO_MODE": True}, "OUTREACH_DEMO is on"),
        ({"SESSION_COOKIE_SECURE": False}, "OUTREACH_SECURE_COOKIES is off"),
        ({"REQUIRE_2FA": False}, "OUTREACH_REQUIRE_2FA is off"),
        ({"BASE_URL": "http://outreach.malmo.se"}, "OUTREACH_BASE_URL is not an https://"),
        ({"SMTP_PORT": 1}, "the SMTP server 127.0.0.1:1 does not answer"),
        ({"SMTP_TLS": "starttls"}, "the relay does not offer it: check OUTREACH_SMTP_TLS"),
        (
            {"SMTP_USERNAME": "outreach", "SMTP_PASSWORD": "hemligt"},
            "OUTREACH_SMTP_USERNAME is set and OUTREACH_SMTP_TLS is none",
        ),
    ],
)
def test_each_problem_is_named_and_fails_the_check(production, change, named):
    production.config.update(change)
    result = _check(production)
    assert result.exit_code == 1
    assert named in result.output
    assert "1 problem(s)" in result.output


def test_an_unreachable_provider_and_silent_workers_are_named(production, openid_provider):
    openid_provider.stop()
    with production.app_context():
        db.session.execute(db.delete(workers.WorkerBeat))
        db.session.commit()
    result = _check(production)
    assert result.exit_code == 1
    assert "the identity provider of Testkommun cannot be reached" in result.output
    assert "the clock timer (`flask handoffs tick` every minute) has not run ever" in result.output
    assert "the mail worker (`flask notifications send --loop`) has not run ever" in result.output


def test_the_workers_leave_their_time(app, world, runner):
    assert runner.invoke(args=["handoffs", "tick"]).exit_code == 0
    with app.app_context():
        assert set(workers.last_runs()) == {workers.CLOCK}
