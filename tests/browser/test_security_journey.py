"""Security in a real browser, with the second factor required as in production: a field worker
enrols an authenticator app, logs in with a code, logs out everywhere and finds nothing behind
the back button; a team lead gives a colleague access to a youth with protected identity; the
admin sees the account. axe-core and the CSP listener check every page."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from outreach.auth.models import User
from outreach.clock import now
from outreach.extensions import db
from outreach.org.models import Area, Team
from tests.addresses import address_for
from tests.factories import PASSWORD, make_records

pytestmark = [pytest.mark.browser, pytest.mark.server_config(REQUIRE_2FA=True)]


def _password(page, username: str) -> None:
    page.goto(address_for("auth.login"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("#password").press("Enter")


def _code(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + steps_ahead * totp.interval)


def _enrol(browsing, page, username: str, screenshots: bool = False) -> str:
    """Password, then the enrolment page: read the key, type the app's code, save the recovery
    codes. Returns the key."""
    _password(page, username)
    expect(page).to_have_url(re.compile(r"/logga-in/tvafaktor$"))
    expect(page.locator("img.qr")).to_be_visible()
    if screenshots:
        browsing.check(page, "enrol")
    page.get_by_text("Går det inte att skanna?").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#code", _code(secret))
    page.get_by_role("button", name="Slå på tvåfaktorinloggning").click()
    expect(page.locator("h1")).to_have_text("Dina reservkoder")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    if screenshots:
        browsing.check(page, "recovery-codes")
    page.get_by_role("link", name="Jag har sparat dem, fortsätt").click()
    return secret


@pytest.fixture
def protected(app, world):
    """Team A's records, the child under protected identity (registered by falt_a)."""
    with app.app_context():
        records = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
            protected=True,
        )
        return records["youth"].public_id


def test_two_factor_login_and_logging_out_everywhere(world, browsing):
    page = browsing.new_page()
    secret = _enrol(browsing, page, "falt_a", screenshots=True)
    expect(page.locator("form.logout")).to_be_visible()
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/logga-in$"))  # the queue is looked at first

    # the next login: password, then a code (a wrong one first)
    _password(page, "falt_a")
    expect(page).to_have_url(re.compile(r"/logga-in/kod$"))
    browsing.check(page, "code")
    page.fill("#code", "000000")
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator("#code-error")).to_contain_text("Koden stämmer inte")
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    browsing.check(page, "code-wrong")
    used = _code(secret, steps_ahead=1)
    page.fill("#code", used)
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator("form.logout")).to_be_visible()

    # a second device, then "log out on every device" from the settings
    other = browsing.new_page()
    _password(other, "falt_a")
    other.fill("#code", used)  # the code the first device used (the clock may have moved on)
    other.get_by_role("button", name="Logga in").click()
    expect(other.locator("#code-error")).to_be_visible()  # a code is accepted once
    page.goto(address_for("casefile.search"))
    page.get_by_role("link", name="Fatima Fält").click()
    browsing.check(page, "settings")
    page.get_by_role("button", name="Logga ut på alla enheter").click()
    expect(page.locator(".flash")).to_contain_text("utloggad på alla enheter")
    page.go_back()  # nothing readable behind the back button
    expect(page).to_have_url(re.compile(r"/logga-in"))
    expect(page.locator("main")).not_to_contain_text("Sök bland ungdomar")


def test_a_lead_gives_access_to_a_protected_youth(world, browsing, protected):
    lead = browsing.new_page()
    _enrol(browsing, lead, "lead_a")
    lead.goto(address_for("casefile.youth", public_id=protected))
    section = lead.locator("#access")
    expect(section).to_contain_text("Fatima Fält")
    lead.select_option("#user", label="Johan Lind")
    lead.get_by_role("button", name="Ge behörighet").click()
    expect(lead.locator(".flash.success")).to_contain_text("Johan Lind kan se uppgifterna nu")
    browsing.check(lead, "protected-access")

    colleague = browsing.new_page()
    _enrol(browsing, colleague, "falt_a2")
    colleague.goto(address_for("casefile.youth", public_id=protected))
    expect(colleague.locator("h1")).to_contain_text("Barn i")
    expect(colleague.locator(".badge.warning").first).to_have_text("Skyddad identitet")


def test_the_admin_sees_an_account_and_can_unlock_it(app, world, browsing):
    with app.app_context():
        user = db.session.get(User, world.worker_a)
        user.locked_until = now() + timedelta(minutes=10)
        db.session.commit()
    admin = browsing.new_page()
    _enrol(browsing, admin, "admin")
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    admin.get_by_role("link", name="Fatima Fält").click()
    expect(admin.locator("main")).to_contain_text("Låst fram till")
    browsing.check(admin, "admin-user")
    admin.get_by_role("button", name="Lås upp kontot").click()
    expect(admin.locator(".flash.success")).to_contain_text("Kontot är upplåst")
