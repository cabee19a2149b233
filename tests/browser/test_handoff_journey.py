"""From concern to first contact in a real browser: the field worker marks risk, records consent
and hands over to VPC; the caseworker's badge shows it without a reload; the caseworker
acknowledges and records first contact; the field worker sees the new status."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from outreach.vocabulary import HandoffStatus
from tests.addresses import address_for
from tests.browser.steps import chip, fill_handoff, log_in, record_consent
from tests.factories import make_youth, personnummer_for, years_ago

pytestmark = pytest.mark.browser


def test_mark_consent_hand_over_and_first_contact(app, world, browsing):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        youth = make_youth(
            worker,
            db.session.get(Team, world.team_a),
            "Kille i röd keps",
            name="Ali Östlin",
            personnummer=personnummer_for(years_ago(19, 20)),
        )
        db.session.commit()
        youth_id = youth.public_id

    caseworker = browsing.new_page()
    log_in(browsing, caseworker, "vpc", lands_on="/vpc")
    badge = caseworker.locator("#notice-badge")
    expect(badge.locator(".count")).to_have_count(0)
    caseworker.evaluate("window.__sameDocument = 'still here'")

    worker_page = browsing.new_page()
    log_in(browsing, worker_page, "falt_a")
    worker_page.goto(address_for("risk.new_marking", public_id=youth_id))
    browsing.check(worker_page, "risk-marking")
    form = worker_page.locator("#risk-form")
    form.locator("label.chip", has_text="Äldre kamrater").click()
    chip(form, "level", "elevated").click()
    form.locator("button[type=submit]").click()
    expect(worker_page).to_have_url(f"{browsing.base_url}/ungdomar/{youth_id}")
    expect(worker_page.locator(".badge.risk-elevated").first).to_be_visible()

    record_consent(browsing, worker_page, youth_id, "vpc", "Överlämning till VPC för stöd.")

    worker_page.goto(address_for("handoffs.new_handoff", public_id=youth_id))
    browsing.check(worker_page, "handoff-form")
    form = worker_page.locator("#handoff-form")
    fill_handoff(form, "Rekryteras av äldre killar.", "Vill ha hjälp att ta sig ur.")
    form.locator("button[type=submit]").click()
    expect(worker_page).to_have_url(re.compile(r"/overlamningar/[^/]+$"))
    handoff_url = worker_page.url
    browsing.check(worker_page, "handoff-sent")

    # The caseworker's badge counts the new handoff without the page being reloaded.
    expect(badge.locator(".count")).to_have_text("1", timeout=10_000)
    assert caseworker.evaluate("window.__sameDocument") == "still here"
    caseworker.reload()
    browsing.check(caseworker, "vpc-inbox")
    caseworker.locator("main a", has_text="Kille i röd keps").click()
    expect(caseworker.locator("main")).to_contain_text("Ali Östlin")
    expect(caseworker.locator("main")).not_to_contain_text("1990")
    browsing.check(caseworker, "vpc-handoff")
    caseworker.locator("form[action$='/acknowledge'] button").click()
    expect(caseworker.locator(".flash.success")).to_be_visible()
    steps = caseworker.locator("form[action$='/first_contact']")
    steps.locator("textarea").fill("Ringde och träffades på fritidsgården.")
    steps.locator("button").click()
    expect(caseworker.locator(".flash.success")).to_be_visible()
    browsing.check(caseworker, "vpc-first-contact")

    worker_page.goto(handoff_url)
    expect(worker_page.locator(".badge.status-first_contact")).to_be_visible()
    expect(worker_page.locator("#notice-badge .count")).to_have_text("2")
    browsing.check(worker_page, "sender-sees-status")
    with app.app_context():
        handoff = db.session.execute(select(Handoff)).scalar_one()
        assert handoff.status == HandoffStatus.FIRST_CONTACT
        assert [e.status for e in handoff.events][-1] == HandoffStatus.FIRST_CONTACT
