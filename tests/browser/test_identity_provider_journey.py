"""Logging in through the kommun's identity provider in a real browser, against a real OpenID
provider on localhost: the admin sets the provider up and says which group gives what; a
field worker's first login there makes her account, she logs out (at the provider too), and
comes back as a returning user; a person whose groups give nothing is refused."""

import re

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.auth.models import User
from outreach.extensions import db
from tests.addresses import address_for
from tests.browser.steps import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(world, openid_provider, live_server):
    """The provider knows Outreach (its live server) and two people: Anna, in the group
    "Fältgrupp Söder", who logs in with two factors there, and Bo, in no mapped group."""
    openid_provider.add_client("outreach", "hemligt", f"{live_server}/logga-in/oidc")
    openid_provider.add_person("anna@malmo.se", "Anna Andersson", ["Fältgrupp Söder"], amr=["mfa"])
    openid_provider.add_person("bo@malmo.se", "Bo Berg", ["Alla anställda"], amr=["mfa"])
    return openid_provider


def _at_provider(page, username: str) -> None:
    expect(page.locator("h1")).to_have_text("Testleverantören")
    page.fill("#username", username)
    page.get_by_role("button", name="Logga in hos leverantören").click()


def _soder_gives_field_workers(admin) -> None:
    """The admin says that the group "Fältgrupp Söder" makes field workers of Söder."""
    admin.get_by_label("Grupp eller approll hos leverantören").fill("Fältgrupp Söder")
    admin.get_by_label("Roll i Outreach").select_option(label="Fältarbetare")
    admin.get_by_label("Team", exact=True).select_option(label="Fältgruppen Söder")
    admin.get_by_role("button", name="Lägg till gruppen").click()


def test_a_field_worker_logs_in_through_the_kommun_s_provider(app, world, provider, browsing):
    admin = browsing.new_page()
    log_in(browsing, admin, "admin", lands_on="/admin/")
    admin.get_by_role("link", name="Identitetsleverantör och grupper").click()
    expect(admin.locator("main")).to_contain_text(f"{browsing.base_url}/logga-in/oidc")
    admin.get_by_label("Namn på inloggningsknappen").fill("Malmö stad")
    admin.get_by_label("Utfärdare (issuer)").fill(provider.issuer)
    admin.get_by_label("Klient-id").fill("outreach")
    admin.get_by_label("Klienthemlighet").fill("hemligt")
    browsing.check(admin, "admin-identity-provider")
    admin.get_by_role("button", name="Spara").click()
    expect(admin.locator(".flash.success")).to_contain_text("Identitetsleverantören är sparad")
    _soder_gives_field_workers(admin)
    expect(admin.locator("main table")).to_contain_text("Fältgrupp Söder")
    browsing.check(admin, "admin-identity-groups")

    # the first login: the account is made with the group's team
    anna = browsing.new_page()
    anna.goto(address_for("auth.login"))
    browsing.check(anna, "login-with-provider")
    anna.get_by_role("link", name="Logga in med Malmö stad").click()
    _at_provider(anna, "anna@malmo.se")
    expect(anna).to_have_url(f"{browsing.base_url}/")
    expect(anna.locator("main")).to_contain_text("Hej Anna Andersson")
    browsing.check(anna, "start-after-provider-login")
    with app.app_context():
        made = db.session.execute(select(User).where(User.username == "anna@malmo.se")).scalar_one()
        assert [team.id for team in made.all_teams] == [world.team_a]

    # logging out ends the provider's session too, and comes back to the login page
    anna.locator("form.logout button").click()
    expect(anna).to_have_url(re.compile(r"/logga-in"))
    assert provider.ended, "the provider's end-session endpoint was visited"

    # a returning user: the same account
    anna.get_by_role("link", name="Logga in med Malmö stad").click()
    _at_provider(anna, "anna@malmo.se")
    expect(anna).to_have_url(f"{browsing.base_url}/")
    with app.app_context():
        accounts = db.session.execute(select(User).where(User.display_name == "Anna Andersson"))
        assert len(accounts.all()) == 1

    # someone whose groups give no role is told so, and has no session
    bo = browsing.new_page()
    bo.goto(address_for("auth.login"))
    bo.get_by_role("link", name="Logga in med Malmö stad").click()
    _at_provider(bo, "bo@malmo.se")
    expect(bo.locator("main")).to_contain_text("ingen av dina grupper där ger dig en roll")
    browsing.expect_failed_load(bo, "status of 403")
    browsing.check(bo, "provider-login-refused")
    bo.goto(address_for("home.start"))
    expect(bo).to_have_url(re.compile(r"/logga-in"))
    bo.get_by_role("link", name="Tillgänglighet").click()
    expect(bo.locator("h1")).to_have_text("Tillgänglighet för Outreach")
    browsing.check(bo, "accessibility-statement")


def test_a_field_worker_logs_in_through_a_saml_provider(
    app, world, live_server, saml_idp, browsing
):
    saml_idp.add_person("cia@malmo.se", "Cia Ceder", ["Fältgrupp Söder"])
    admin = browsing.new_page()
    log_in(browsing, admin, "admin", lands_on="/admin/")
    admin.goto(address_for("admin.identity_provider"))
    admin.get_by_label("SAML 2.0", exact=True).check()
    admin.get_by_label("Namn på inloggningsknappen").fill("Malmö stad")
    admin.get_by_label("SAML: leverantörens metadata (XML)").fill(saml_idp.metadata())
    admin.get_by_label("Claim (eller SAML-attribut, eller NameID)").fill("NameID")
    admin.get_by_label("Claim som blir användarnamnet").fill("upn")
    admin.get_by_role("button", name="Spara").click()
    expect(admin.locator(".flash.success")).to_contain_text("Identitetsleverantören är sparad")
    _soder_gives_field_workers(admin)
    browsing.check(admin, "admin-identity-saml")
    # the provider registers Outreach from its metadata
    saml_idp.trust(requests.get(f"{live_server}/saml/9999/metadata", timeout=10).text)

    cia = browsing.new_page()
    cia.goto(address_for("auth.login"))
    cia.get_by_role("link", name="Logga in med Malmö stad").click()
    expect(cia.locator("h1")).to_have_text("Test-IdP")
    cia.fill("#username", "cia@malmo.se")
    cia.get_by_role("button", name="Logga in hos IdP").click()  # its answer posts itself back
    expect(cia).to_have_url(f"{browsing.base_url}/")
    expect(cia.locator("main")).to_contain_text("Hej Cia Ceder")
    browsing.check(cia, "start-after-saml-login")
    cia.locator("form.logout button").click()
    expect(cia).to_have_url(re.compile(r"/logga-in"))
    assert saml_idp.ended == ["id-cia@malmo.se"]
    # a returning user: the same account
    cia.get_by_role("link", name="Logga in med Malmö stad").click()
    cia.fill("#username", "cia@malmo.se")
    cia.get_by_role("button", name="Logga in hos IdP").click()
    expect(cia).to_have_url(f"{browsing.base_url}/")
    with app.app_context():
        accounts = db.session.execute(select(User).where(User.display_name == "Cia Ceder"))
        assert len(accounts.all()) == 1
