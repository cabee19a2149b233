"""Logging that survives a dead connection: anonymous contacts logged offline wait on the
tablet (IndexedDB), survive a reload of the page (the service worker serves the form), and are
sent when the connection returns: exactly once each, also when the server answers 500 once or
stores a contact but its answer is lost. Logging out warns while contacts wait, then empties
the queue."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.shifts.models import AnonymousContact
from tests.addresses import address_for
from tests.browser.steps import log_contact, log_in, open_contact_form
from tests.factories import make_shift

# The badge does not poll during these tests: a poll already on its way when the test cuts the
# connection would fail (app.js holds back the ones that start while offline).
pytestmark = [pytest.mark.browser, pytest.mark.server_config(BADGE_POLL_SECONDS=600)]


@pytest.fixture
def shift(app, world):
    """An open shift of falt_a; its public id."""
    with app.app_context():
        opened = make_shift(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            db.session.get(Area, world.area),
        )
        db.session.commit()
        return opened.public_id


def _rows(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(AnonymousContact.id))).scalar_one()


def test_contacts_logged_offline_are_sent_once_when_the_connection_returns(
    app, world, shift, browsing
):
    page = browsing.new_page(service_workers="allow")
    log_in(browsing, page, "falt_a")
    open_contact_form(page, shift)  # served through the service worker, which keeps a copy
    browsing.check(page, "contact-form")

    page.context.set_offline(True)
    status = page.locator("#outbox-status")
    for youths in (1, 2, 3):
        log_contact(page, world, youths)
        expect(page.locator("#contact-form .outbox-saved")).to_be_visible()
        expect(status).to_contain_text(f"{youths} ")
    browsing.check(page, "queued-offline")
    page.reload()  # the form again, from the tablet; the queue is still there
    expect(status).to_contain_text("3 ")
    expect(status).to_contain_text(re.compile("uppkoppling"))
    assert _rows(app) == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_be_hidden()
    assert _rows(app) == 3
    with app.app_context():
        counts = sorted(db.session.execute(select(AnonymousContact.youth_count)).scalars())
    assert counts == [1, 2, 3]


@pytest.mark.parametrize("fault", ["server-error", "lost-answer"])
def test_a_failed_or_lost_answer_is_sent_again_and_logged_once(app, world, shift, browsing, fault):
    page = browsing.new_page(service_workers="allow")
    log_in(browsing, page, "falt_a")
    open_contact_form(page, shift)
    address = f"{browsing.base_url}/faltpass/{shift}/anonym-kontakt"
    faults = []

    def once(route):
        if faults:
            route.continue_()
            return
        faults.append(route.request.url)
        if fault == "server-error":
            route.fulfill(status=500, body="fel")
        else:
            route.fetch()  # the server stores the contact ...
            route.abort()  # ... and its answer never arrives

    page.route(
        address, lambda route: once(route) if route.request.method == "POST" else route.continue_()
    )
    log_contact(page, world, 4)
    status = page.locator("#outbox-status")
    expect(status).to_contain_text("1 ")
    assert _rows(app) == (1 if fault == "lost-answer" else 0)

    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_be_hidden()
    assert faults and _rows(app) == 1
    browsing.expect_failed_load(page, "status of 500")
    browsing.expect_failed_load(page, "net::ERR_FAILED")


def test_logging_out_warns_while_contacts_wait_and_then_empties_the_queue(
    app, world, shift, browsing
):
    page = browsing.new_page(service_workers="allow")
    log_in(browsing, page, "falt_a")
    open_contact_form(page, shift)
    page.route(  # the server cannot be reached: the contact stays in the queue
        f"**/faltpass/{shift}/anonym-kontakt",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.context.set_offline(True)
    log_contact(page, world, 2)
    page.context.set_offline(False)
    logout = page.locator("form.logout button[type=submit]")
    logout.click()
    status = page.locator("#outbox-status")
    expect(status).to_contain_text("Logga ut igen")
    browsing.expect_failed_load(page, "net::ERR_FAILED")  # the queue tried to send
    browsing.check(page, "logout-warning")
    logout.click()
    expect(page).to_have_url(re.compile(r"/logga-in"))
    left = page.evaluate(
        """() => new Promise(resolve => {
            const open = indexedDB.open('outreach-outbox', 1);
            open.onsuccess = () => {
              const request = open.result.transaction('contacts').objectStore('contacts').count();
              request.onsuccess = () => resolve(request.result);
            };
          })"""
    )
    assert left == 0
    kept = page.evaluate(
        """() => caches.open('outreach-offline-v1')
            .then(cache => cache.keys())
            .then(keys => keys.map(key => new URL(key.url).pathname))"""
    )
    assert not [path for path in kept if not path.startswith("/static/")]  # no page left
    assert _rows(app) == 0


def test_a_situation_note_saved_offline_is_sent_when_the_connection_returns(
    app, world, shift, browsing
):
    page = browsing.new_page(service_workers="allow")
    log_in(browsing, page, "falt_a")
    open_contact_form(page, shift)  # the service worker is in place
    page.goto(address_for("shifts.shift_detail", public_id=shift))
    page.context.set_offline(True)
    note = page.locator("#note-form")
    note.locator("textarea").fill("Lugnt, regn. Få ute vid torget.")
    note.locator("button[type=submit]").click()
    status = page.locator("#outbox-status")
    expect(status).to_contain_text("1 ")
    expect(note.locator("textarea")).to_have_value("Lugnt, regn. Få ute vid torget.")
    browsing.check(page, "note-queued")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_be_hidden()
    with app.app_context():
        from outreach.shifts.models import Shift

        saved = db.session.execute(select(Shift.situation_note)).scalar_one()
    assert saved == "Lugnt, regn. Få ute vid torget."
