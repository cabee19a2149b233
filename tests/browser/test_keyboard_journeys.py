"""Each role's everyday work with the keyboard alone: Tab, Shift+Tab, Enter, Space, arrows and
typing, never a click. Every element the focus passes shows it and is on the screen
(`tab_to`); refused input moves the focus to the first field in error, whose message is tied
to it."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Area, Team
from outreach.shifts.models import AnonymousContact, Shift
from outreach.vocabulary import HandoffStatus, ReviewStatus
from tests.browser.steps import log_in_by_keyboard, tab_to
from tests.factories import make_records

pytestmark = pytest.mark.browser


@pytest.fixture
def records(app, world):
    """Team A's records: an ended shift waiting for review, and a handoff sent to VPC."""
    with app.app_context():
        made = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a2),
            db.session.get(Area, world.area),
            shift_state="ended",
        )
        return {kind: record.public_id for kind, record in made.items()}


def test_a_field_worker_starts_a_shift_and_logs_a_contact(app, world, browsing, page):
    log_in_by_keyboard(browsing, page, "falt_a")
    browsing.check(page, "keyboard-start")

    tab_to(page, page.locator("main a[href='/faltpass/nytt']"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{browsing.base_url}/faltpass/nytt")
    tab_to(page, page.locator("#area"))
    page.keyboard.type("M")  # a closed list chooses by its first letters
    expect(page.locator("#area")).to_have_value(str(world.area))
    colleague = page.locator(f"input[name=colleagues][value='{world.worker_a2}']")
    tab_to(page, colleague)
    page.keyboard.press("Space")
    expect(colleague).to_be_checked()
    browsing.check(page, "keyboard-new-shift")
    tab_to(page, page.locator("#start-shift button[type=submit]"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{browsing.base_url}/")
    with app.app_context():
        shift = db.session.execute(select(Shift)).scalar_one().public_id

    tab_to(page, page.locator(f"main a[href='/faltpass/{shift}/anonym-kontakt']"))
    page.keyboard.press("Enter")
    form = page.locator("#contact-form")
    first_place = form.locator("input[name=place]").first
    tab_to(page, first_place)  # the first choice of a group nobody has chosen in yet
    page.keyboard.press("ArrowRight")  # arrows move through the places and choose
    second_place = form.locator("input[name=place]").nth(1)
    expect(second_place).to_be_checked()
    page.keyboard.press("ArrowLeft")
    expect(first_place).to_be_checked()
    place = int(first_place.get_attribute("value"))
    more = form.locator("button.step[data-for=youth_count][data-step='1']")
    tab_to(page, more)
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    expect(form.locator("#youth_count")).to_have_value("3")
    tab_to(page, form.locator("input[name=topics]").first)
    page.keyboard.press("Space")
    browsing.check(page, "keyboard-contact")
    tab_to(page, form.locator("button[type=submit]"))
    page.keyboard.press("Enter")
    success = page.locator("#contact-form .flash.success")
    expect(success).to_be_focused()  # the focus goes to the answer, read out by a screen reader
    with app.app_context():
        contact = db.session.execute(select(AnonymousContact)).scalar_one()
        assert (contact.place_id, contact.youth_count, len(contact.topics)) == (place, 3, 1)


def test_a_team_lead_opens_a_shift_and_signs_it_off(app, world, records, browsing, page):
    log_in_by_keyboard(browsing, page, "lead_a")
    tab_to(page, page.locator("nav a[href='/granskning']"), backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{browsing.base_url}/granskning")
    browsing.check(page, "keyboard-review")
    tab_to(page, page.locator(f"main a[href='/faltpass/{records['shift']}']").first)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{browsing.base_url}/faltpass/{records['shift']}")
    browsing.check(page, "keyboard-shift")
    tab_to(page, page.get_by_role("button", name="Markera som granskat"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash.success")).to_be_visible()
    with app.app_context():
        shift = db.session.execute(select(Shift).where(Shift.public_id == records["shift"]))
        assert shift.scalar_one().review_status == ReviewStatus.REVIEWED


def test_a_caseworker_acknowledges_and_records_first_contact(app, world, records, browsing, page):
    log_in_by_keyboard(browsing, page, "vpc", lands_on="/vpc")
    browsing.check(page, "keyboard-inbox")
    tab_to(page, page.locator(f"main a[href='/overlamningar/{records['handoff']}']"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{browsing.base_url}/overlamningar/{records['handoff']}")
    tab_to(page, page.locator("form[action$='/acknowledge'] button"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash.success")).to_be_visible()
    step = page.locator("form[action$='/first_contact']")
    tab_to(page, step.locator("textarea"))
    page.keyboard.type("Ringde och träffades på fritidsgården.")
    tab_to(page, step.locator("button"))
    page.keyboard.press("Enter")
    expect(page.locator(".flash.success")).to_be_visible()
    browsing.check(page, "keyboard-first-contact")
    with app.app_context():
        handoff = db.session.execute(select(Handoff)).scalar_one()
        assert handoff.status == HandoffStatus.FIRST_CONTACT


def test_the_admin_creates_a_user_after_a_refusal(app, world, browsing, page):
    log_in_by_keyboard(browsing, page, "admin", lands_on="/admin/")
    tab_to(page, page.locator("main a[href='/admin/anvandare/ny']"))
    page.keyboard.press("Enter")
    form = page.locator("#user-form")
    tab_to(page, form.locator("button[type=submit]"))
    page.keyboard.press("Enter")  # nothing filled in: refused
    username = page.locator("#user-form #username")
    expect(username).to_be_focused()
    described = username.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described.split()[0]}").is_visible()
    expect(username).to_have_attribute("aria-invalid", "true")
    browsing.check(page, "keyboard-user-refused")

    page.keyboard.type("falt_ny")
    page.keyboard.press("Tab")
    page.keyboard.type("Nora Ny")
    tab_to(page, page.locator("#user-form #role"))
    page.keyboard.type("T")  # a closed list chooses by its first letters
    expect(page.locator("#user-form #role")).to_have_value("team_lead")
    team = page.locator(f"#user-form input[name=teams][value='{world.team_a}']")
    tab_to(page, team)
    page.keyboard.press("Space")
    tab_to(page, page.locator("#user-form #password"))
    page.keyboard.type("ett långt lösenord 42")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator(".flash.success")).to_be_visible()
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "falt_ny")).scalar_one()
        assert (user.display_name, user.role) == ("Nora Ny", Role.TEAM_LEAD)
        assert [team.id for team in user.teams] == [world.team_a]
