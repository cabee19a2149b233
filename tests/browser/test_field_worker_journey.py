"""A field worker's evening in a real browser: log in, start a shift, log an anonymous contact
through htmx, register a youth, find them by live search and record a contact on their timeline.
The same shift and contact again with JavaScript off, through plain form posts.

Selectors are ids, names and classes, never UI text: the UI may be Swedish or English.
Every visited page gets `browsing.check`: a screenshot, axe-core and a clean console.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.extensions import db
from outreach.org.models import Place
from outreach.shifts.models import AnonymousContact, Shift
from outreach.vocabulary import AgeBand, Gender, Topic
from outreach.youths.models import IdentifiedContact, Youth
from tests.browser.steps import chip, log_in

pytestmark = pytest.mark.browser

ALIAS = "Tjej med grön jacka vid torget"
FACTS = "Sågs med äldre killar vid torget."
ASSESSMENT = "Orolig, vill prata mer nästa gång."


def test_field_worker_journey(app, world, browsing, page):
    log_in(browsing, page, "falt_a")
    browsing.check(page, "start-no-shift")
    with app.app_context():
        shift_id = start_shift(browsing, page, world)
        place = db.session.get(Place, world.place).name
    expect(page.locator("main")).to_contain_text("Möllevången")
    browsing.check(page, "start-with-shift")

    log_anonymous_contact_with_htmx(app, browsing, page, world, shift_id, place)
    youth_id = register_youth(app, browsing, page)
    find_youth_by_live_search(browsing, page, youth_id)
    record_identified_contact(browsing, page, world, shift_id, youth_id)

    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(1)
    expect(timeline).to_contain_text(FACTS)
    expect(timeline).to_contain_text(ASSESSMENT)
    expect(timeline).to_contain_text(place)
    browsing.check(page, "youth-timeline")
    with app.app_context():
        contact = db.session.execute(select(IdentifiedContact)).scalar_one()
        assert [youth.public_id for youth in contact.youths] == [youth_id]
        assert contact.place_id == world.place
        assert contact.facts == FACTS


def test_without_javascript(app, world, browsing):
    page = browsing.new_page(java_script_enabled=False)
    log_in(browsing, page, "falt_a")
    with app.app_context():
        shift_id = start_shift(browsing, page, world)

    page.locator(f"main a[href='/faltpass/{shift_id}/anonym-kontakt']").click()
    expect(page).to_have_url(f"{browsing.base_url}/faltpass/{shift_id}/anonym-kontakt")
    form = page.locator("#contact-form")
    expect(form.locator("button.step").first).to_be_hidden()  # steppers need JavaScript
    browsing.check(page, "anonymous-contact-no-js")
    form.locator(f"input[name=place][value='{world.place}']").check()
    form.locator("input[name=youth_count]").fill("4")
    form.locator(f"input[name=gender_{Gender.GIRL}]").fill("4")
    form.locator(f"input[name=topics][value='{Topic.LEISURE}']").check()
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{browsing.base_url}/")  # a 303 to the start page
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("#youths-met")).to_have_text(re.compile(r"^\s*4\b"))
    browsing.check(page, "start-after-contact-no-js")
    with app.app_context():
        contact = db.session.execute(select(AnonymousContact)).scalar_one()
        assert contact.place_id == world.place
        assert contact.youth_count == 4
        assert contact.count_of(Gender.GIRL) == 4
        assert [t.topic for t in contact.topics] == [Topic.LEISURE]


def start_shift(browsing, page, world) -> str:
    """From the start page, start a shift in Möllevången with falt_a2; returns its public id."""
    page.locator("main a[href='/faltpass/nytt']").click()
    expect(page).to_have_url(f"{browsing.base_url}/faltpass/nytt")
    browsing.check(page, "new-shift")
    form = page.locator("#start-shift")
    form.locator("select[name=team]").select_option(str(world.team_a))
    form.locator("select[name=area]").select_option(str(world.area))
    form.locator(f"input[name=colleagues][value='{world.worker_a2}']").check()
    form.locator("button[type=submit]").click()
    # With JavaScript the form posts through htmx; either way the start page loads in full.
    expect(page).to_have_url(f"{browsing.base_url}/")
    expect(page.locator(".flash.success")).to_be_visible()
    expect(page.locator("#youths-met")).to_have_text(re.compile(r"^\s*0\b"))
    shift = db.session.execute(select(Shift)).scalar_one()
    assert {worker.username for worker in shift.workers} == {"falt_a", "falt_a2"}
    return shift.public_id


def step(form, field: str, by: int):
    return form.locator(f"button.step[data-for={field}][data-step='{by}']")


def log_anonymous_contact_with_htmx(app, browsing, page, world, shift_id, place) -> None:
    """Chips and steppers, saved by htmx with the CSRF header: the page is never reloaded."""
    page.locator(f"main a[href='/faltpass/{shift_id}/anonym-kontakt']").click()
    contact_url = f"{browsing.base_url}/faltpass/{shift_id}/anonym-kontakt"
    expect(page).to_have_url(contact_url)
    form = page.locator("#contact-form")
    expect(step(form, "youth_count", 1)).to_be_visible()  # app.js shows the steppers
    browsing.check(page, "anonymous-contact")

    chip(form, "place", world.place).click()
    expect(form.locator(f"input[name=place][value='{world.place}']")).to_be_checked()
    expect(form.locator("input[name=youth_count]")).to_have_value("1")
    for _ in range(3):
        step(form, "youth_count", 1).click()
    step(form, "youth_count", -1).click()
    expect(form.locator("input[name=youth_count]")).to_have_value("3")
    step(form, f"gender_{Gender.BOY}", 1).click()
    step(form, f"gender_{Gender.BOY}", 1).click()
    step(form, f"gender_{Gender.GIRL}", 1).click()
    for _ in range(3):
        step(form, f"age_{AgeBand.AGE_16_17}", 1).click()
    expect(form.locator(f"input[name=gender_{Gender.BOY}]")).to_have_value("2")
    expect(form.locator(f"input[name=age_{AgeBand.AGE_16_17}]")).to_have_value("3")
    chip(form, "topics", Topic.SCHOOL).click()
    expect(form.locator(f"input[name=topics][value='{Topic.SCHOOL}']")).to_be_checked()

    page.evaluate("window.__sameDocument = 'still here'")
    with page.expect_request(lambda r: r.method == "POST" and r.url == contact_url) as posted:
        form.locator("button[type=submit]").click()
    success = page.locator("#contact-form .flash.success")
    expect(success).to_be_visible()
    expect(success).to_contain_text(place)
    assert page.url == contact_url
    assert page.evaluate("window.__sameDocument") == "still here", "the page was reloaded"
    headers = posted.value.all_headers()
    assert headers.get("hx-request") == "true"
    csrf_token = page.locator("meta[name=csrf-token]").get_attribute("content")
    assert csrf_token and headers.get("x-csrftoken") == csrf_token
    # The form is blank again, ready for the next contact.
    expect(page.locator("#contact-form input[name=youth_count]")).to_have_value("1")
    expect(
        page.locator(f"#contact-form input[name=topics][value='{Topic.SCHOOL}']")
    ).not_to_be_checked()
    browsing.check(page, "anonymous-contact-saved")

    with app.app_context():
        contact = db.session.execute(select(AnonymousContact)).scalar_one()
        assert contact.place_id == world.place
        assert contact.youth_count == 3
        assert contact.count_of(Gender.BOY) == 2
        assert contact.count_of(Gender.GIRL) == 1
        assert contact.count_of(AgeBand.AGE_16_17) == 3
        assert [t.topic for t in contact.topics] == [Topic.SCHOOL]
        assert contact.actions == []


def register_youth(app, browsing, page) -> str:
    """Ungdomar → Registrera ungdom; returns the new youth's public id."""
    page.locator("nav a[href='/ungdomar']").click()
    expect(page).to_have_url(f"{browsing.base_url}/ungdomar")
    browsing.check(page, "youths")
    page.locator("main a[href='/ungdomar/ny']").click()
    expect(page).to_have_url(f"{browsing.base_url}/ungdomar/ny")
    browsing.check(page, "register-youth")
    form = page.locator("#youth-form")
    form.locator("input[name=alias]").fill(ALIAS)
    chip(form, "legal_basis", "consent").click()
    form.locator("input[name=name]").fill("Åsa Östlin")
    form.locator("input[name=birth_year]").fill("2010")
    form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(ALIAS)
    with app.app_context():
        youth = db.session.execute(select(Youth)).scalar_one()
        assert (youth.name, youth.birth_year, youth.legal_basis) == ("Åsa Östlin", 2010, "consent")
        youth_id = youth.public_id
    expect(page).to_have_url(f"{browsing.base_url}/ungdomar/{youth_id}")
    expect(page.locator(".flash.success")).to_be_visible()
    browsing.check(page, "youth-registered")
    return youth_id


def find_youth_by_live_search(browsing, page, youth_id: str) -> None:
    """Typing "ostlin" finds Åsa Östlin without pressing the search button or reloading."""
    page.locator("nav a[href='/ungdomar']").click()
    expect(page).to_have_url(f"{browsing.base_url}/ungdomar")
    page.evaluate("window.__sameDocument = 'still here'")
    page.locator("#q").press_sequentially("ostlin", delay=30)
    expect(page.locator(f"#youth-results a[href='/ungdomar/{youth_id}']")).to_be_visible()
    expect(page.locator("#youth-results")).to_contain_text("Åsa Östlin")
    assert page.evaluate("window.__sameDocument") == "still here", "the search reloaded the page"
    # The search is posted: what was typed never lands in the URL or the history.
    expect(page).to_have_url(f"{browsing.base_url}/ungdomar")
    browsing.check(page, "youth-search")


def record_identified_contact(browsing, page, world, shift_id: str, youth_id: str) -> None:
    """From the open shift on the start page: find the youth, tick her, write facts, save."""
    page.locator("a.brand").click()
    page.locator(f"main a[href='/faltpass/{shift_id}/namngiven-kontakt']").click()
    expect(page).to_have_url(f"{browsing.base_url}/faltpass/{shift_id}/namngiven-kontakt")
    browsing.check(page, "identified-contact")
    form = page.locator("#identified-contact")
    form.locator("#contact-q").press_sequentially("asa", delay=30)
    youth_box = form.locator(f"#youth-candidates input[name=youths][value='{youth_id}']")
    expect(youth_box).to_be_attached()
    chip(form, "youths", youth_id).click()
    expect(youth_box).to_be_checked()
    form.locator("textarea[name=facts]").fill(FACTS)
    form.locator("textarea[name=assessment]").fill(ASSESSMENT)
    form.locator("select[name=place]").select_option(str(world.place))
    browsing.check(page, "identified-contact-filled")
    form.locator("button[type=submit]:not([value=search])").click()  # not the search button
    expect(page).to_have_url(f"{browsing.base_url}/ungdomar/{youth_id}")
    expect(page.locator(".flash.success")).to_be_visible()
