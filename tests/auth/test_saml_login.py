"""Login through the kommun's SAML 2.0 identity provider, against a real one on localhost
(pysaml2's IdP side): Outreach's signed request, the provider's signed assertion, the account
made from the groups at the first login and the same one after; every assertion that does not
hold is refused with a clear message and no session; single logout both ways."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import ExternalIdentity, LoginSession, Role, User
from outreach.extensions import db
from outreach.org.models import Team
from tests import factories
from tests.addresses import address_for
from tests.identity.saml_idp import PASSWORD

SODER = "Fältgrupp Söder"


@pytest.fixture
def kommun_idp(app, world, saml_idp):
    """The test kommun logs in through the SAML provider: NameID identifies, "upn" is the
    username, "groups" the groups, smart cards count as two factors. Anna is in Söder."""
    saml_idp.add_person("anna@malmo.se", "Anna Andersson", [SODER, "Alla"])
    saml_idp.add_person("bo@malmo.se", "Bo Berg", ["Alla"])
    with app.app_context():
        factories.make_identity_provider(
            saml_idp.entity_id,
            [(SODER, Role.FIELD_WORKER, db.session.get(Team, world.team_a))],
            display_name="Malmö stad",
            idp_metadata=saml_idp.metadata(),
            subject_claim="NameID",
            username_claim="upn",
            mfa_values="urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
        )
        db.session.commit()
    metadata = app.test_client().get(address_for("auth.saml_metadata", code="9999"))
    assert metadata.status_code == 200 and b"AssertionConsumerService" in metadata.data
    saml_idp.trust(metadata.get_data(as_text=True))
    return saml_idp


def _log_in(client, idp, username: str):
    """To the provider with a signed request, its login page, and back with its answer."""
    started = client.get(address_for("auth.provider_begin", code="9999"))
    assert started.status_code == 303 and started.location.startswith(f"{idp.base}/sso")
    assert "Signature=" in started.location  # the request is signed
    action, fields = idp.log_in(started.location, username)
    assert action == "http://localhost/saml/9999/acs"
    return client.post(urlsplit(action).path, data=fields), fields


def test_the_first_login_makes_the_account_and_the_next_finds_it(app, world, kommun_idp):
    client = app.test_client()
    answer, _fields = _log_in(client, kommun_idp, "anna@malmo.se")
    assert answer.status_code == 303 and answer.location == address_for("home.start")
    assert client.get(address_for("home.start")).status_code == 200
    with app.app_context():
        anna = db.session.execute(select(User).where(User.username == "anna@malmo.se")).scalar_one()
        assert anna.display_name == "Anna Andersson" and anna.role == Role.FIELD_WORKER
        assert [team.id for team in anna.all_teams] == [world.team_a]
        identity = db.session.execute(select(ExternalIdentity)).scalar_one()
        assert identity.subject == "id-anna@malmo.se"
        login = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN)
        ).scalar_one()
        assert login.detail == "identity provider (SAML), multi-factor"
    again = app.test_client()
    assert _log_in(again, kommun_idp, "anna@malmo.se")[0].status_code == 303
    with app.app_context():
        assert len(db.session.execute(select(ExternalIdentity)).all()) == 1


def test_without_two_factors_at_the_provider_outreach_asks_for_its_own(app, kommun_idp):
    kommun_idp.people["anna@malmo.se"].method = PASSWORD
    app.config["REQUIRE_2FA"] = True
    try:
        answer, _fields = _log_in(app.test_client(), kommun_idp, "anna@malmo.se")
        assert answer.location == address_for("auth.enrol")
    finally:
        app.config["REQUIRE_2FA"] = False


def test_a_person_whose_groups_give_no_role_is_refused(app, kommun_idp):
    client = app.test_client()
    answer, _fields = _log_in(client, kommun_idp, "bo@malmo.se")
    assert answer.status_code == 403
    assert "ingen av dina grupper där ger dig en roll" in answer.get_data(as_text=True)
    assert client.get(address_for("home.start")).status_code == 302


HOSTILE = {
    "an assertion for another service provider": ("audience", "AudienceRestrictions"),
    "an expired assertion": ("expired", "Condition not OK"),
    "an unsigned assertion": ("unsigned", "Signature missing"),
    "an assertion signed with a key the provider never published": ("foreign_key", "verify"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_an_assertion_that_does_not_hold_is_refused_and_leaves_no_session(app, kommun_idp, case):
    misbehaviour, reason = HOSTILE[case]
    kommun_idp.misbehave.add(misbehaviour)
    client = app.test_client()
    answer, _fields = _log_in(client, kommun_idp, "anna@malmo.se")
    assert answer.status_code == 400, case
    assert "Inloggningen via Malmö stad kunde inte slutföras" in answer.get_data(as_text=True)
    assert client.get(address_for("home.start")).status_code == 302
    with app.app_context():
        assert (
            db.session.execute(select(User).where(User.username == "anna@malmo.se")).first() is None
        )
        assert db.session.execute(select(LoginSession)).first() is None
        recorded = db.session.execute(
            select(AuditEvent.detail).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
        ).scalar_one()
        assert reason in recorded, recorded


def test_a_replayed_assertion_is_refused(app, kommun_idp):
    client = app.test_client()
    answer, fields = _log_in(client, kommun_idp, "anna@malmo.se")
    assert answer.status_code == 303
    # the same answer again, in a login this browser started anew
    thief = app.test_client()
    thief.get(address_for("auth.provider_begin", code="9999"))
    replayed = thief.post("/saml/9999/acs", data=fields)
    assert replayed.status_code == 400
    assert thief.get(address_for("home.start")).status_code == 302
    # and posted where no login was started
    assert app.test_client().post("/saml/9999/acs", data=fields).status_code == 400


def test_logging_out_ends_the_provider_s_session_and_its_logout_ends_ours(app, kommun_idp):
    client = app.test_client()
    _log_in(client, kommun_idp, "anna@malmo.se")
    client.post(address_for("auth.logout"))
    onwards = client.get(address_for("auth.provider_logout")).get_data(as_text=True)
    assert f"{kommun_idp.base}/slo?SAMLRequest=" in onwards
    # the provider logs her out, and after logging in again the provider ends her session
    browser = app.test_client()
    _log_in(browser, kommun_idp, "anna@malmo.se")
    assert browser.get(address_for("home.start")).status_code == 200
    sp, slo = "http://localhost/saml/9999/metadata", "http://localhost/saml/9999/slo"
    # a logout request nobody signed, or signed with a key the provider never published,
    # ends nothing
    forged = kommun_idp.logout_request("anna@malmo.se", sp, slo, signed=False)
    assert app.test_client().get(forged.removeprefix("http://localhost")).status_code == 400
    kommun_idp.misbehave.add("foreign_key")
    forged = kommun_idp.logout_request("anna@malmo.se", sp, slo)
    assert app.test_client().get(forged.removeprefix("http://localhost")).status_code == 400
    kommun_idp.misbehave.clear()
    assert browser.get(address_for("home.start")).status_code == 200
    request = kommun_idp.logout_request(
        "anna@malmo.se", "http://localhost/saml/9999/metadata", "http://localhost/saml/9999/slo"
    )
    answered = app.test_client().get(request.removeprefix("http://localhost"))
    assert answered.status_code == 303 and answered.location.startswith(f"{kommun_idp.base}/slo")
    assert "SAMLResponse=" in answered.location
    assert browser.get(address_for("home.start")).status_code == 302


def test_metadata_of_a_kommun_without_saml_is_not_found(app, world):
    assert app.test_client().get(address_for("auth.saml_metadata", code="9999")).status_code == 404


def test_the_started_login_survives_the_provider_s_cross_site_post(app, kommun_idp):
    """The provider posts its answer from its own site: a SameSite=Lax session cookie does not
    come with it, so the started login is kept in a cookie of its own, SameSite=None over
    HTTPS, for the assertion consumer service only, and without the session at all."""
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        started = app.test_client().get(address_for("auth.provider_begin", code="9999"))
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    cookie = next(
        value
        for key, value in started.headers.items()
        if key == "Set-Cookie" and value.startswith("outreach_saml_login=")
    )
    assert "SameSite=None" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    assert "Path=/saml/" in cookie
    # the answer, posted by a browser that brings only that cookie, logs in
    client = app.test_client()
    started = client.get(address_for("auth.provider_begin", code="9999"))
    client.delete_cookie("outreach_session")
    action, fields = kommun_idp.log_in(started.location, "anna@malmo.se")
    assert client.post(urlsplit(action).path, data=fields).status_code == 303
