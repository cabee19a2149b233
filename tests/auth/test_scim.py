"""SCIM 2.0 for the kommun's identity provider: the scim2-tester compliance checks pass; the
provider's token opens its own kommun's users and groups and nothing else; a group's members
get the role and team the group mappings give; a user stopped over SCIM is logged out at once;
bad requests answer SCIM errors and change nothing."""

import json

import pytest
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server
from sqlalchemy import func, select

from outreach.auth import scim
from outreach.auth.models import ExternalIdentity, Role, ScimGroup, User
from outreach.extensions import db
from outreach.org.models import Team
from tests import factories
from tests.addresses import address_for

BASE = "http://localhost/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BAD = {Status.ERROR, Status.CRITICAL, Status.DEVIATION}


@pytest.fixture
def token(app, world):
    """The test kommun's provider, whose group "Fältgrupp Söder" gives field workers of team
    A; its SCIM token."""
    with app.app_context():
        provider = factories.make_identity_provider(
            "https://idp.example.se",
            [("Fältgrupp Söder", Role.FIELD_WORKER, db.session.get(Team, world.team_a))],
        )
        made = scim.new_token(provider)
        db.session.commit()
        return made


def _call(client, method: str, path: str, token: str | None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(
        f"/scim/v2{path}",
        method=method,
        headers=headers,
        data=json.dumps(body) if body is not None else None,
        content_type="application/scim+json",
    )


def _new_user(client, token, username="anna@malmo.se", external_id="oid-anna", **more):
    body = {
        "schemas": [USER_SCHEMA],
        "userName": username,
        "externalId": external_id,
        "displayName": "Anna Andersson",
        "active": True,
        **more,
    }
    made = _call(client, "POST", "/Users", token, body)
    assert made.status_code == 201, made.get_json()
    return made.get_json()["id"]


def test_the_scim_compliance_checks_pass(app, token):
    client = WSGISCIMClient(app, base_url=BASE, headers={"Authorization": f"Bearer {token}"})
    results = check_server(client)
    failed = [f"{r.title}: {r.reason}" for r in results if r.status in BAD]
    assert not failed, "\n".join(failed)
    passed = sum(1 for r in results if r.status == Status.SUCCESS)
    skipped = [r.reason for r in results if r.status == Status.SKIPPED]
    assert passed >= 50
    # the only checks skipped: searching users and groups at once, which is not offered
    assert all("several resource types at once" in reason for reason in skipped)
    from tests.test_authorization_matrix import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "scim-compliance.txt").write_text(
        f"scim2-tester checks: {len(results)}, passed {passed}, skipped {len(skipped)}, "
        f"failed {len(failed)}\n"
    )


def test_the_token_opens_its_own_kommun_only(app, world, token):
    client = app.test_client()
    assert _call(client, "GET", "/Users", None).status_code == 401
    refused = _call(client, "GET", "/Users", "not-the-token")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert refused.get_json()["status"] == "401"
    anna = _new_user(client, token)
    # the kommun's own accounts (the break-glass admin among them) are not the provider's
    listed = _call(client, "GET", "/Users", token).get_json()
    assert [user["userName"] for user in listed["Resources"]] == ["anna@malmo.se"]
    with app.app_context():
        other = factories.make_kommun("Grannkommun", "0002")
        other_token = scim.new_token(
            factories.make_identity_provider("https://idp.grannkommun.se", kommun=other)
        )
        db.session.commit()
    assert _call(client, "GET", f"/Users/{anna}", other_token).status_code == 404
    assert _call(client, "GET", f"/Users/{world.worker_a}", token).status_code == 404
    assert _call(client, "GET", "/Users", other_token).get_json()["totalResults"] == 0
    gone = _call(client, "DELETE", f"/Users/{anna}", other_token)
    assert gone.status_code == 404
    assert _call(client, "GET", f"/Users/{anna}", token).get_json()["active"] is True


def test_a_group_s_members_get_what_its_mapping_gives(app, world, token):
    client = app.test_client()
    anna = _new_user(client, token)
    with app.app_context():
        user = db.session.get(User, int(anna))
        assert (user.role, user.all_teams) == (Role.FIELD_WORKER, [])  # nothing yet
    group = _call(
        client,
        "POST",
        "/Groups",
        token,
        {"schemas": [GROUP_SCHEMA], "displayName": "Fältgrupp Söder", "members": [{"value": anna}]},
    )
    assert group.status_code == 201
    with app.app_context():
        assert [t.id for t in db.session.get(User, int(anna)).all_teams] == [world.team_a]
    # out of the group: out of the team
    removed = _call(
        client,
        "PATCH",
        f"/Groups/{group.get_json()['id']}",
        token,
        {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "remove", "path": "members"}]},
    )
    assert removed.status_code == 200
    with app.app_context():
        assert db.session.get(User, int(anna)).all_teams == []
    found = _call(client, "GET", '/Groups?filter=displayName eq "Fältgrupp Söder"', token)
    assert found.get_json()["totalResults"] == 1


def test_a_user_stopped_over_scim_is_logged_out_at_once(app, world, token, signed_in):
    client = app.test_client()
    anna = _new_user(client, token)
    _call(
        client,
        "POST",
        "/Groups",
        token,
        {"schemas": [GROUP_SCHEMA], "displayName": "Fältgrupp Söder", "members": [{"value": anna}]},
    )
    browser = signed_in("anna@malmo.se")
    assert browser.get(address_for("home.start")).status_code == 200
    stopped = _call(
        client,
        "PATCH",
        f"/Users/{anna}",
        token,
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    assert stopped.status_code == 200 and stopped.get_json()["active"] is False
    assert browser.get(address_for("home.start")).status_code == 302
    # deleted: stopped for good, and no longer the provider's
    assert _call(client, "DELETE", f"/Users/{anna}", token).status_code == 204
    assert _call(client, "GET", f"/Users/{anna}", token).status_code == 404
    with app.app_context():
        user = db.session.get(User, int(anna))
        assert user is not None and not user.is_enabled
        assert db.session.execute(select(ExternalIdentity)).first() is None


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/Users", "not json", 400),
        ("POST", "/Users", {"schemas": [USER_SCHEMA], "displayName": "X", "active": True}, 400),
        (
            "POST",
            "/Users",
            {"schemas": [USER_SCHEMA], "userName": "falt_a", "displayName": "X", "active": True},
            409,
        ),
        (
            "POST",
            "/Groups",
            {"schemas": [GROUP_SCHEMA], "displayName": "X", "members": [{"value": "99999"}]},
            400,
        ),
        (
            "PATCH",
            "/Users/ANNA",
            {
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "path": "userName", "value": "falt_a"}],
            },
            409,
        ),
        (
            "PATCH",
            "/Users/ANNA",
            {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "explode"}]},
            400,
        ),
        ("GET", "/Users?filter=userName eq", None, 400),
        ("GET", "/Users/abc", None, 404),
        ("GET", "/Nothing", None, 404),
        ("DELETE", "/ServiceProviderConfig", None, 405),
    ],
)
def test_a_bad_request_answers_a_scim_error_and_changes_nothing(
    app, token, method, path, body, status
):
    client = app.test_client()
    anna = _new_user(client, token)

    def state():
        with app.app_context():
            return (
                db.session.execute(select(User.username, User.is_enabled).order_by(User.id)).all(),
                db.session.execute(select(func.count()).select_from(ScimGroup)).scalar(),
            )

    before = state()
    if body == "not json":
        answer = client.open(
            f"/scim/v2{path}",
            method=method,
            data="{",
            content_type="application/scim+json",
            headers={"Authorization": f"Bearer {token}"},
        )
    else:
        answer = _call(client, method, path.replace("ANNA", anna), token, body)
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/scim+json"
    assert answer.get_json()["status"] == str(status)
    assert state() == before


def test_out_of_every_mapped_group_is_out_of_every_right(app, world, token):
    """An admin taken out of the group that made them admin keeps neither the role nor a
    session."""
    with app.app_context():
        from outreach.auth.models import GroupMapping, IdentityProvider

        provider = db.session.execute(select(IdentityProvider)).scalar_one()
        provider.mappings.append(
            GroupMapping(kommun_id=provider.kommun_id, group="Admins", role=Role.ADMIN)
        )
        db.session.commit()
    client = app.test_client()
    anna = _new_user(client, token)
    group = _call(
        client,
        "POST",
        "/Groups",
        token,
        {"schemas": [GROUP_SCHEMA], "displayName": "Admins", "members": [{"value": anna}]},
    ).get_json()["id"]
    with app.app_context():
        assert db.session.get(User, int(anna)).role == Role.ADMIN
    assert _call(client, "DELETE", f"/Groups/{group}", token).status_code == 204
    with app.app_context():
        user = db.session.get(User, int(anna))
        assert (user.role, user.all_teams) == (Role.FIELD_WORKER, [])


def test_an_account_of_several_kommuner_is_not_one_provider_s_to_rename_or_stop(app, world, token):
    client = app.test_client()
    anna = _new_user(client, token)
    with app.app_context():
        user = db.session.get(User, int(anna))
        user.kommuner.append(factories.make_kommun("Grannkommun", "0002"))
        db.session.commit()
    patch = {
        "schemas": [PATCH_SCHEMA],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    refused = _call(client, "PATCH", f"/Users/{anna}", token, patch)
    assert refused.status_code == 400 and "several kommuner" in refused.get_json()["detail"]
    assert _call(client, "DELETE", f"/Users/{anna}", token).status_code == 204
    with app.app_context():
        assert db.session.get(User, int(anna)).is_enabled  # it goes on in the other kommun
