"""Outreach on the tablet's home screen: every page names the web app manifest, Chromium reads
it without errors and finds the app installable, and opened at the manifest's start address,
as the home-screen icon opens it, the app is the one the service worker serves: the contact
form and its outbox work without a connection."""

import json
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.shifts.models import AnonymousContact
from tests.browser.steps import log_contact, log_in, open_contact_form
from tests.factories import make_shift

pytestmark = [pytest.mark.browser, pytest.mark.server_config(BADGE_POLL_SECONDS=600)]

#: What Chromium says of a page that is installable, whatever the app: the test's browser
#: profile is an incognito one, where nothing is installed.
OF_THE_BROWSER = {"in-incognito"}


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


def test_outreach_goes_on_the_home_screen_and_logs_contacts_offline_from_there(
    app, world, shift, browsing
):
    page = browsing.new_page(service_workers="allow")
    log_in(browsing, page, "falt_a")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    devtools = page.context.new_cdp_session(page)
    read = devtools.send("Page.getAppManifest")
    assert read["errors"] == [], read["errors"]
    manifest = json.loads(read["data"])
    assert (manifest["name"], manifest["display"], manifest["lang"]) == (
        "Outreach",
        "standalone",
        "sv",
    )
    assert (
        manifest["description"] == "Gatukontakter, orosmarkeringar och överlämningar i fältarbetet"
    )
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).ok, icon
    refusals = devtools.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert {error["errorId"] for error in refusals} <= OF_THE_BROWSER, refusals

    # opened as the home-screen icon opens it: the start address, in a window of its own
    installed = page.context.new_page()
    start = urljoin(read["url"], manifest["start_url"])
    installed.goto(start)
    expect(installed.locator("form.logout")).to_be_visible()
    open_contact_form(installed, shift)  # kept on the tablet from this visit
    installed.context.set_offline(True)
    # opened again from the home screen without a connection: the contact form kept last
    installed.goto(start)
    expect(installed.locator("#contact-form")).to_be_visible()
    log_contact(installed, world, youths=2)
    expect(installed.locator("#contact-form .outbox-saved")).to_be_visible()
    installed.reload()  # the form again, from the tablet, with the contact waiting
    expect(installed.locator("#outbox-status")).to_contain_text("1 ")
    installed.context.set_offline(False)
    installed.evaluate("window.dispatchEvent(new Event('online'))")
    expect(installed.locator("#outbox-status")).to_be_hidden()
    with app.app_context():
        assert db.session.scalar(select(func.sum(AnonymousContact.youth_count))) == 2
