"""Two people change the same youth at the same time in real browsers: the second save shows the
field both changed both ways, keeps what only the first changed, and saves on the next press."""

import pytest
from playwright.sync_api import expect

from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Team
from tests.addresses import address_for
from tests.browser.steps import log_in
from tests.factories import make_youth

pytestmark = pytest.mark.browser


def test_the_second_save_shows_both_versions_and_keeps_the_first(app, world, browsing):
    with app.app_context():
        youth = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Kille med blå jacka",
        )
        db.session.commit()
        address = address_for("youths.edit_youth", public_id=youth.public_id)

    worker, lead = browsing.new_page(), browsing.new_page()
    log_in(browsing, worker, "falt_a")
    log_in(browsing, lead, "lead_a")
    for page in (worker, lead):
        page.goto(address)

    worker.fill("#school", "Malmö Latin")
    worker.fill("#interpreter_language", "arabiska")
    worker.locator("#youth-form button[type=submit]").click()
    expect(worker).to_have_url(f"{browsing.base_url}/ungdomar/{youth.public_id}")

    lead.fill("#school", "Sofielundsskolan")
    lead.fill("#name", "Ali")
    lead.locator("#youth-form button[type=submit]").click()
    conflict = lead.locator("table.conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator("tbody tr")).to_have_count(1)
    expect(conflict.locator("tbody tr")).to_contain_text("Malmö Latin")
    expect(conflict.locator("tbody tr")).to_contain_text("Sofielundsskolan")
    expect(lead.locator("#interpreter_language")).to_have_value("arabiska")  # kept, not undone
    expect(lead.locator("#name")).to_have_value("Ali")
    browsing.check(lead, "edit-conflict")

    lead.locator("#youth-form button[type=submit]").click()
    expect(lead).to_have_url(f"{browsing.base_url}/ungdomar/{youth.public_id}")
    expect(lead.locator("main")).to_contain_text("Sofielundsskolan")
    expect(lead.locator("main")).to_contain_text("arabiska")
