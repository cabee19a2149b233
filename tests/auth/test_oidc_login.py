"""Login through the kommun's OpenID Connect provider, against a real provider on localhost: the
first login makes the account (just in time) with the teams and role the person's groups give,
each login brings them in line, and every answer that does not hold is refused with a clear
message and no session."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import ExternalIdentity, LoginSession, Role, User
from outreach.extensions import db
from outreach.org.models import Team
from tests import factories
from tests.addresses import address_for

CALLBACK = "http://localhost/logga-in/oidc"
SODER, NORR, VPC = "Fältgrupp Söder", "Fältgrupp Norr", "VPC-handläggare"


@pytest.fixture
def kommun_provider(app, world, openid_provider):
    """The test kommun logs in through the provider: its group "Fältgrupp Söder" makes field
    workers of team A, "Fältgrupp Norr" of team B, "VPC-handläggare" caseworkers of VPC. Anna
    is in Söder and logs in with two factors there; Bo is in no mapped group."""
    openid_provider.add_client(
        "outreach",
        "hemligt",
        CALLBACK,
        backchannel_logout_uri="http://localhost/logga-in/via/9999/utloggning",
    )
    openid_provider.add_person(
        "anna@malmo.se", "Anna Andersson", [SODER, "Alla anställda"], amr=["pwd", "mfa"]
    )
    openid_provider.add_person("bo@malmo.se", "Bo Berg", ["Alla anställda"], amr=["pwd", "mfa"])
    with app.app_context():
        factories.make_identity_provider(
            openid_provider.issuer,
            [
                (SODER, Role.FIELD_WORKER, db.session.get(Team, world.team_a)),
                (NORR, Role.FIELD_WORKER, db.session.get(Team, world.team_b)),
                (VPC, Role.CASEWORKER, db.session.get(Team, world.vpc)),
            ],
            display_name="Malmö stad",
        )
        db.session.commit()
    return openid_provider


def _log_in(client, provider, username: str, tamper=None):
    """The whole round: to the provider, its login page, and back; the answer at the end."""
    started = client.get(address_for("auth.provider_begin", code="9999"))
    assert started.status_code == 303 and started.location.startswith(provider.issuer)
    query = parse_qs(urlsplit(started.location).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    back = provider.log_in(started.location, username)
    assert back.startswith(CALLBACK)
    if tamper:
        back = tamper(back)
    return client.get(back.removeprefix("http://localhost"))


def _user(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar()
        if user is not None:
            db.session.expunge(user)
            return user
        return None


def _team_ids(app, username: str) -> list[int]:
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        return sorted(team.id for team in user.all_teams)


def test_the_login_page_offers_the_kommun_s_provider(client, kommun_provider):
    page = client.get(address_for("auth.login")).get_data(as_text=True)
    assert "Logga in med Malmö stad" in page
    assert address_for("auth.provider_begin", code="9999") in page


def test_the_first_login_makes_the_account_with_the_groups_teams(app, world, kommun_provider):
    client = app.test_client()
    answer = _log_in(client, kommun_provider, "anna@malmo.se")
    assert answer.status_code == 303 and answer.location == address_for("home.start")
    assert client.get(address_for("home.start")).status_code == 200
    anna = _user(app, "anna@malmo.se")
    assert (anna.display_name, anna.role) == ("Anna Andersson", Role.FIELD_WORKER)
    assert _team_ids(app, "anna@malmo.se") == [world.team_a]
    with app.app_context():
        identity = db.session.execute(select(ExternalIdentity)).scalar_one()
        assert identity.user_id == anna.id and identity.subject == (
            kommun_provider.people["anna@malmo.se"].sub
        )
        login = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN)
        ).scalar_one()
        assert login.detail == "identity provider, multi-factor"
        assert login.kommun_id == identity.kommun_id
    # no password opens the account
    refused = app.test_client().post(
        address_for("auth.login"), data={"username": "anna@malmo.se", "password": "!"}
    )
    assert refused.status_code == 422


def test_a_returning_person_moved_to_another_group_moves_here(app, world, kommun_provider):
    first = app.test_client()
    _log_in(first, kommun_provider, "anna@malmo.se")
    kommun_provider.people["anna@malmo.se"].groups = [NORR, VPC]
    again = app.test_client()
    assert _log_in(again, kommun_provider, "anna@malmo.se").status_code == 303
    anna = _user(app, "anna@malmo.se")
    # the higher role of her groups, and that role's teams only
    assert anna.role == Role.CASEWORKER and _team_ids(app, "anna@malmo.se") == [world.vpc]
    with app.app_context():
        assert db.session.execute(select(ExternalIdentity)).scalars().all()  # still one
        assert len(db.session.execute(select(User).where(User.username.like("anna%"))).all()) == 1
    # her rights changed: the session made with the old ones is over
    assert first.get(address_for("home.start")).status_code == 302
    assert again.get(address_for("home.start")).status_code == 302  # VPC's start is its inbox


def test_a_person_whose_groups_give_no_role_is_refused(app, kommun_provider):
    client = app.test_client()
    answer = _log_in(client, kommun_provider, "bo@malmo.se")
    assert answer.status_code == 403
    assert "ingen av dina grupper där ger dig en roll i Outreach" in answer.get_data(as_text=True)
    assert _user(app, "bo@malmo.se") is None
    assert client.get(address_for("home.start")).status_code == 302  # to the login page
    with app.app_context():
        refusal = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
        ).scalar_one()
        assert refusal.entity_type == "identity_provider"


def test_a_stopped_account_is_refused(app, kommun_provider):
    _log_in(app.test_client(), kommun_provider, "anna@malmo.se")
    with app.app_context():
        db.session.execute(
            select(User).where(User.username == "anna@malmo.se")
        ).scalar_one().is_enabled = False
        db.session.commit()
    client = app.test_client()
    answer = _log_in(client, kommun_provider, "anna@malmo.se")
    assert answer.status_code == 403 and "stoppat" in answer.get_data(as_text=True)
    assert client.get(address_for("home.start")).status_code == 302


def _state_changed(url: str) -> str:
    return url.replace("state=", "state=x")


#: What the provider gets wrong (or the browser's answer is tampered with), and the word the
#: refusal's reason in the audit trail has.
HOSTILE = {
    "a token for another client": ("audience", None, "claim: 'a"),  # aud, or azp missing
    "an expired token": ("expired", None, "expired"),
    "a token signed with a key the provider never published": ("foreign_key", None, "signature"),
    "a token from another issuer": ("issuer", None, "claim: 'iss'"),
    "a state this browser did not start": (None, _state_changed, "state"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_an_answer_that_does_not_hold_is_refused_and_leaves_no_session(app, kommun_provider, case):
    misbehaviour, tamper, reason = HOSTILE[case]
    if misbehaviour:
        kommun_provider.misbehave.add(misbehaviour)
    client = app.test_client()
    answer = _log_in(client, kommun_provider, "anna@malmo.se", tamper)
    assert answer.status_code == 400, case
    assert "Inloggningen via Malmö stad kunde inte slutföras" in answer.get_data(as_text=True)
    assert _user(app, "anna@malmo.se") is None
    assert client.get(address_for("home.start")).status_code == 302
    with app.app_context():
        assert db.session.execute(select(LoginSession)).first() is None
        recorded = db.session.execute(
            select(AuditEvent.detail).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
        ).scalar_one()
        assert reason in recorded, recorded


def test_the_same_answer_twice_is_refused_the_second_time(app, kommun_provider):
    client = app.test_client()
    started = client.get(address_for("auth.provider_begin", code="9999"))
    back = kommun_provider.log_in(started.location, "anna@malmo.se").removeprefix(
        "http://localhost"
    )
    assert client.get(back).status_code == 303
    client.post(address_for("auth.logout"))
    replayed = client.get(back)
    assert replayed.status_code == 400
    assert client.get(address_for("home.start")).status_code == 302


def test_an_unknown_kommun_has_no_provider_login(app, kommun_provider):
    answer = app.test_client().get(
        address_for("auth.provider_begin", code="0000"), follow_redirects=True
    )
    assert (
        "Det finns ingen inloggning via identitetsleverantör för den kommunen."
        in answer.get_data(as_text=True)
    )


def test_a_rotated_signing_key_is_fetched_again(app, kommun_provider):
    assert _log_in(app.test_client(), kommun_provider, "anna@malmo.se").status_code == 303
    kommun_provider.rotate_keys()
    assert _log_in(app.test_client(), kommun_provider, "anna@malmo.se").status_code == 303


def test_without_two_factors_at_the_provider_outreach_asks_for_its_own(app, kommun_provider):
    app.config["REQUIRE_2FA"] = True
    try:
        kommun_provider.people["anna@malmo.se"].amr = ["pwd"]
        client = app.test_client()
        answer = _log_in(client, kommun_provider, "anna@malmo.se")
        assert answer.status_code == 303 and answer.location == address_for("auth.enrol")
        assert client.get(address_for("home.start")).status_code == 302  # not logged in yet
    finally:
        app.config["REQUIRE_2FA"] = False


def test_logging_out_ends_the_provider_s_session_too(app, kommun_provider):
    client = app.test_client()
    _log_in(client, kommun_provider, "anna@malmo.se")
    answer = client.post(address_for("auth.logout"))
    assert answer.status_code == 303 and answer.location == address_for("auth.provider_logout")
    onwards = client.get(answer.location)
    # a page that goes on to the provider by itself: a form may not leave the site
    target = re.search(
        r'http-equiv="refresh" content="0; url=([^"]+)"', onwards.get_data(as_text=True)
    )
    assert onwards.status_code == 200 and target
    query = parse_qs(urlsplit(html.unescape(target.group(1))).query)
    assert target.group(1).startswith(f"{kommun_provider.issuer}/logout")
    assert query["id_token_hint"] and query["post_logout_redirect_uri"]
    assert client.get(address_for("home.start")).status_code == 302
    # once only
    assert client.get(address_for("auth.provider_logout")).status_code == 303


def test_a_logout_at_the_provider_ends_the_sessions_here(app, kommun_provider):
    client = app.test_client()
    _log_in(client, kommun_provider, "anna@malmo.se")
    assert client.get(address_for("home.start")).status_code == 200
    backchannel = address_for("auth.oidc_logged_out", code="9999")
    provider_server = app.test_client()  # the provider calls from its server, not the browser
    forged = kommun_provider.logout_token("anna@malmo.se", "another-app")
    assert provider_server.post(backchannel, data={"logout_token": forged}).status_code == 400
    assert client.get(address_for("home.start")).status_code == 200
    token = kommun_provider.logout_token("anna@malmo.se", "outreach")
    assert provider_server.post(backchannel, data={"logout_token": token}).status_code == 200
    assert client.get(address_for("home.start")).status_code == 302


def test_a_kommun_can_close_password_logins_but_not_for_its_admin(app, world, kommun_provider):
    with app.app_context():
        from outreach.auth.models import IdentityProvider

        db.session.execute(select(IdentityProvider)).scalar_one().local_login = False
        db.session.commit()
    refused = app.test_client().post(
        address_for("auth.login"), data={"username": "falt_a", "password": factories.PASSWORD}
    )
    assert refused.status_code == 422
    assert "Din kommun loggar in via sin identitetsleverantör" in refused.get_data(as_text=True)
    admin = app.test_client().post(
        address_for("auth.login"), data={"username": "admin", "password": factories.PASSWORD}
    )
    assert admin.status_code == 303


def test_a_user_provisioned_over_scim_logs_in_with_the_groups_kept_here(
    app, world, kommun_provider
):
    """The provider made Cia's account and put her in the group over SCIM; its tokens carry no
    groups: the login takes the groups kept here."""
    from outreach.auth import scim
    from outreach.auth.models import IdentityProvider

    cia = kommun_provider.add_person("cia@malmo.se", "Cia Ceder", [], amr=["mfa"])
    with app.app_context():
        token = scim.new_token(db.session.execute(select(IdentityProvider)).scalar_one())
        db.session.commit()
    provisioning = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    made = provisioning.post(
        "/scim/v2/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "cia@malmo.se",
            "externalId": cia.sub,
            "displayName": "Cia Ceder",
            "active": True,
        },
        headers=bearer,
    )
    assert made.status_code == 201
    refused = _log_in(app.test_client(), kommun_provider, "cia@malmo.se")
    assert refused.status_code == 403  # no group yet
    provisioning.post(
        "/scim/v2/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": SODER,
            "members": [{"value": made.get_json()["id"]}],
        },
        headers=bearer,
    )
    client = app.test_client()
    assert _log_in(client, kommun_provider, "cia@malmo.se").status_code == 303
    assert _team_ids(app, "cia@malmo.se") == [world.team_a]
    with app.app_context():
        assert len(db.session.execute(select(ExternalIdentity)).all()) == 1  # the same account


def test_removing_a_group_logs_out_those_it_gave_rights_to(app, world, kommun_provider, login):
    client = app.test_client()
    _log_in(client, kommun_provider, "anna@malmo.se")
    assert client.get(address_for("home.start")).status_code == 200
    with app.app_context():
        from outreach.auth.models import GroupMapping

        soder = db.session.execute(
            select(GroupMapping.id).where(GroupMapping.group == SODER)
        ).scalar_one()
    login("admin").post(address_for("admin.remove_group_mapping"), data={"mapping": soder})
    assert client.get(address_for("home.start")).status_code == 302
    assert _log_in(app.test_client(), kommun_provider, "anna@malmo.se").status_code == 403


def test_one_kommun_s_provider_does_not_change_the_role_of_a_shared_account(
    app, world, kommun_provider
):
    _log_in(app.test_client(), kommun_provider, "anna@malmo.se")
    with app.app_context():
        anna = db.session.execute(select(User).where(User.username == "anna@malmo.se")).scalar_one()
        anna.kommuner.append(factories.make_kommun("Grannkommun", "0002"))
        db.session.commit()
    kommun_provider.people["anna@malmo.se"].groups = [VPC]  # would make her a caseworker
    answer = _log_in(app.test_client(), kommun_provider, "anna@malmo.se")
    assert answer.status_code == 403 and "flera kommuner" in answer.get_data(as_text=True)
    assert _user(app, "anna@malmo.se").role == Role.FIELD_WORKER
