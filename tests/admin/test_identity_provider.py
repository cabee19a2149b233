"""The admin sets up the kommun's identity provider and the groups that give access; the secret
is kept encrypted and out of the audit trail; nothing crosses to another kommun."""

import re

import pytest
from sqlalchemy import select, text

from outreach.audit import AuditEvent
from outreach.auth.models import GroupMapping, IdentityProvider, Role
from outreach.extensions import db
from tests import factories
from tests.addresses import address_for

SETTINGS = {
    "display_name": "Malmö stad",
    "issuer": "https://login.microsoftonline.com/tenant/v2.0/",
    "client_id": "outreach-malmo",
    "client_secret": "mycket-hemligt-värde",
    "subject_claim": "oid",
    "username_claim": "preferred_username",
    "groups_claim": "groups",
    "mfa_values": "mfa  ngcmfa",
    "local_login": "y",
    "is_enabled": "y",
}


def _provider(app) -> IdentityProvider | None:
    with app.app_context():
        provider = db.session.execute(select(IdentityProvider)).scalar()
        if provider is not None:
            db.session.expunge(provider)
        return provider


def test_the_admin_sets_up_the_provider_and_its_groups(app, world, login):
    admin = login("admin")
    page = admin.get(address_for("admin.identity_provider")).get_data(as_text=True)
    assert "http://localhost/logga-in/oidc" in page  # the address to register at the provider
    assert "http://localhost/logga-in/via/9999/utloggning" in page
    assert admin.post(address_for("admin.identity_provider"), data=SETTINGS).status_code == 303
    provider = _provider(app)
    assert (provider.issuer, provider.mfa_values, provider.subject_claim) == (
        "https://login.microsoftonline.com/tenant/v2.0",
        "mfa ngcmfa",
        "oid",
    )
    assert provider.client_secret == "mycket-hemligt-värde"
    with app.app_context():
        stored = db.session.execute(text("SELECT client_secret FROM identity_provider")).scalar()
        assert "hemligt" not in stored  # encrypted
        rows = db.session.execute(select(AuditEvent)).scalars().all()
        assert all("hemligt" not in str(row.changed) for row in rows)

    added = admin.post(
        address_for("admin.add_group_mapping"),
        data={"group": "Fältgrupp Söder", "role": "field_worker", "team": world.team_a},
    )
    assert added.status_code == 303
    page = admin.get(address_for("admin.identity_provider")).get_data(as_text=True)
    assert "Fältgrupp Söder" in page
    # a secret left empty keeps the saved one
    again = {**SETTINGS, "client_secret": "", "local_login": ""}
    assert admin.post(address_for("admin.identity_provider"), data=again).status_code == 303
    provider = _provider(app)
    assert provider.client_secret == "mycket-hemligt-värde" and provider.local_login is False
    with app.app_context():
        mapping = db.session.execute(select(GroupMapping)).scalar_one()
        assert (mapping.role, mapping.team_id) == (Role.FIELD_WORKER, world.team_a)
        mapping_id = mapping.id
    removed = admin.post(address_for("admin.remove_group_mapping"), data={"mapping": mapping_id})
    assert removed.status_code == 303
    with app.app_context():
        assert db.session.execute(select(GroupMapping)).first() is None


@pytest.mark.parametrize(
    "changes",
    [
        {"issuer": "login.example.se"},
        {"issuer": "javascript:alert(1)"},
        {"issuer": "http://login.example.se"},  # discovery and tokens in the clear
        {"client_id": ""},
        {"client_secret": ""},  # a new provider needs one
        {"groups_claim": "grupper med mellanslag"},
        {"display_name": "   "},
    ],
)
def test_a_provider_that_cannot_work_is_refused(app, world, login, changes):
    response = login("admin").post(
        address_for("admin.identity_provider"), data={**SETTINGS, **changes}
    )
    assert response.status_code == 422
    assert _provider(app) is None


@pytest.mark.parametrize(
    "mapping",
    [
        {"group": "", "role": "field_worker"},
        {"group": "Admins", "role": "admin", "team": "TEAM_A"},
        {"group": "X", "role": "operator"},
        {"group": "X", "role": "field_worker", "team": 999999},
        {"group": "Fältgrupp Söder", "role": "team_lead", "team": "TEAM_A"},  # given already
    ],
)
def test_a_group_that_cannot_give_access_is_refused(app, world, login, mapping):
    admin = login("admin")
    admin.post(address_for("admin.identity_provider"), data=SETTINGS)
    admin.post(
        address_for("admin.add_group_mapping"),
        data={"group": "Fältgrupp Söder", "role": "field_worker", "team": world.team_a},
    )
    data = {k: (world.team_a if v == "TEAM_A" else v) for k, v in mapping.items()}
    assert admin.post(address_for("admin.add_group_mapping"), data=data).status_code == 422
    with app.app_context():
        assert len(db.session.execute(select(GroupMapping)).all()) == 1


def test_another_kommun_s_admin_neither_sees_nor_removes_this_kommun_s(app, world, login):
    login("admin").post(address_for("admin.identity_provider"), data=SETTINGS)
    with app.app_context():
        provider = db.session.execute(select(IdentityProvider)).scalar_one()
        provider.mappings.append(
            GroupMapping(kommun_id=provider.kommun_id, group="Söder", role=Role.FIELD_WORKER)
        )
        other = factories.make_kommun("Grannkommun", "0002")
        factories.make_user("admin_c", Role.ADMIN, [], kommuner=[other])
        db.session.commit()
        mapping_id = provider.mappings[0].id
    admin_c = login("admin_c")
    page = admin_c.get(address_for("admin.identity_provider")).get_data(as_text=True)
    assert "Malmö stad" not in page and "outreach-malmo" not in page
    assert "http://localhost/logga-in/via/0002/utloggning" in page
    admin_c.post(address_for("admin.remove_group_mapping"), data={"mapping": mapping_id})
    with app.app_context():
        assert db.session.get(GroupMapping, mapping_id) is not None
    for username in ("lead_a", "falt_a", "vpc"):
        client = login(username)
        assert client.get(address_for("admin.identity_provider")).status_code == 403
        assert client.post(address_for("admin.identity_provider"), data=SETTINGS).status_code == 403
    assert _provider(app).display_name == "Malmö stad"


def test_the_admin_makes_a_scim_token_shown_once(app, world, login):
    admin = login("admin")
    admin.post(address_for("admin.identity_provider"), data=SETTINGS)
    page = admin.post(address_for("admin.new_scim_token")).get_data(as_text=True)
    token = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    assert "http://localhost/scim/v2" in page
    with app.app_context():
        stored = db.session.execute(select(IdentityProvider.scim_token_hash)).scalar()
        assert token not in stored  # only its hash is kept
    config = "/scim/v2/ServiceProviderConfig"
    assert admin.get(config).status_code == 401  # a session is not a token
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get(config, headers=bearer).status_code == 200
    admin.post(address_for("admin.new_scim_token"))
    assert app.test_client().get(config, headers=bearer).status_code == 401  # replaced
    assert login("lead_a").post(address_for("admin.new_scim_token")).status_code == 403


def test_the_admin_sets_up_a_saml_provider_from_its_metadata(app, world, login, saml_idp):
    admin = login("admin")
    refused = admin.post(
        address_for("admin.identity_provider"),
        data={**SETTINGS, "kind": "saml", "idp_metadata": "<inte metadata/>"},
    )
    assert refused.status_code == 422
    assert "Det här är inte SAML-metadata" in refused.get_data(as_text=True)
    saved = admin.post(
        address_for("admin.identity_provider"),
        data={
            **SETTINGS,
            "kind": "saml",
            "issuer": "",
            "client_id": "",
            "client_secret": "",
            "idp_metadata": saml_idp.metadata(),
            "subject_claim": "NameID",
        },
    )
    assert saved.status_code == 303
    provider = _provider(app)
    assert provider.issuer == saml_idp.entity_id  # from the metadata
    assert provider.sp_certificate.startswith("-----BEGIN CERTIFICATE-----")
    with app.app_context():
        stored = db.session.execute(text("SELECT sp_private_key FROM identity_provider")).scalar()
        assert "PRIVATE KEY" not in stored  # encrypted
    metadata = app.test_client().get(address_for("auth.saml_metadata", code="9999"))
    assert metadata.status_code == 200
    assert b'entityID="http://localhost/saml/9999/metadata"' in metadata.data
    assert b"http://localhost/saml/9999/acs" in metadata.data
    # saving again keeps the key pair
    admin.post(
        address_for("admin.identity_provider"),
        data={**SETTINGS, "kind": "saml", "client_secret": "", "idp_metadata": saml_idp.metadata()},
    )
    assert _provider(app).sp_certificate == provider.sp_certificate
