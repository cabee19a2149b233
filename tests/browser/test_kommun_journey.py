"""The kommun boundary and the receiving units in a real browser.

A VPC caseworker of another kommun sees nothing of this kommun's handoff: not in the inbox,
not by its address, not in notifications or mail; their kommun's field worker finds none of
its youths in search, their unit's lead none of it in the statistics or their exports. The
kommun's admin gives the avhopparteam its own first-contact time; a handoff to it reaches that
unit only, and its clock warns that unit's lead, not VPC's.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.handoffs import first_contact
from outreach.handoffs.models import Handoff
from outreach.notifications.models import OutboxMail
from outreach.org.models import Team, TeamKind
from tests.addresses import address_for
from tests.browser.steps import chip, fill_handoff, log_in, record_consent
from tests.factories import make_kommun, make_team, make_user, make_youth, send_handoff

pytestmark = pytest.mark.browser

ALIAS, NAME = "Kille i röd keps", "Ali Östlin"


@pytest.fixture
def two_kommuner(app, world):
    """Grannkommun with its VPC (a caseworker and a lead, both with mail) and a field team with
    a worker, and in this kommun a youth handed over to VPC (its caseworker has mail too); the
    addresses of the youth and the handoff."""
    with app.app_context():
        other = make_kommun("Grannkommun", "0002")
        make_user(
            "falt_centrum", Role.FIELD_WORKER, [make_team("Fältgruppen Centrum", kommun=other)]
        )
        other_vpc = make_team("Våldspreventivt centrum", TeamKind.VPC, kommun=other)
        make_user("vpc_b", Role.CASEWORKER, [other_vpc]).email = "vpc_b@grannkommun.se"
        make_user("vpc_lead_b", Role.TEAM_LEAD, [other_vpc]).email = "lead_b@grannkommun.se"
        db.session.get(User, world.caseworker).email = "vpc@testkommun.se"
        worker = db.session.get(User, world.worker_a)
        youth = make_youth(worker, db.session.get(Team, world.team_a), ALIAS, name=NAME)
        handoff = send_handoff(worker, youth, shared_fields=["name"])
        db.session.commit()
        return {
            "youth": address_for("casefile.youth", public_id=youth.public_id),
            "handoff": address_for("handoffs.detail", public_id=handoff.public_id),
        }


def test_a_caseworker_of_another_kommun_sees_nothing_of_this_one(app, two_kommuner, browsing):
    # this kommun's VPC has it (the control)
    own = browsing.new_page()
    log_in(browsing, own, "vpc", lands_on="/vpc")
    expect(own.locator("main")).to_contain_text(ALIAS)
    expect(own.locator("#notice-badge .count")).to_have_text("1")

    page = browsing.new_page()
    log_in(browsing, page, "vpc_b", lands_on="/vpc")
    expect(page.locator("main")).not_to_contain_text(ALIAS)
    expect(page.locator("#notice-badge .count")).to_have_count(0)
    browsing.check(page, "other-kommun-inbox")
    page.goto(address_for("notifications.index"))
    expect(page.locator("main")).not_to_contain_text(ALIAS)
    browsing.check(page, "other-kommun-notifications")
    for address in (two_kommuner["handoff"], two_kommuner["youth"]):
        assert page.goto(address).status == 404, address
        expect(page.locator("main")).not_to_contain_text(NAME)
    browsing.expect_failed_load(page, "status of 404")
    browsing.check(page, "other-kommun-not-found")

    field = browsing.new_page()
    log_in(browsing, field, "falt_centrum")
    field.goto(address_for("casefile.search"))
    field.locator("#q").fill("Östlin")
    expect(field.locator("#youth-results")).to_contain_text("Ingen ungdom hittades för ”Östlin”")
    browsing.check(field, "other-kommun-search")

    lead = browsing.new_page()
    log_in(browsing, lead, "vpc_lead_b", lands_on="/vpc")
    lead.goto(address_for("stats.overview", period="year", show="handoffs"))
    main = lead.locator("main")
    expect(main).to_contain_text("Fältgruppen Centrum")
    expect(main).not_to_contain_text("Fältgruppen Söder")
    expect(main.locator("#stat-handoffs + p")).to_have_text("Inget registrerat under perioden.")
    browsing.check(lead, "other-kommun-statistics")
    export = lead.request.get(address_for("stats.export", fmt="csv", period="year"))
    assert export.status == 200
    assert "Fältgruppen Centrum" in export.text() and "Söder" not in export.text()

    with app.app_context():
        mailed = set(db.session.execute(select(OutboxMail.to_address)).scalars())
    assert "vpc@testkommun.se" in mailed
    assert not {"vpc_b@grannkommun.se", "lead_b@grannkommun.se"} & mailed


@pytest.fixture
def avhopp(app, world, adult):
    """This kommun's avhopparteam with a caseworker and a lead, and a lead of VPC; the unit's
    id."""
    with app.app_context():
        unit = make_team("Avhopparverksamheten", TeamKind.EXIT)
        make_user("avhopp", Role.CASEWORKER, [unit])
        make_user("avhopp_lead", Role.TEAM_LEAD, [unit])
        make_user("vpc_lead", Role.TEAM_LEAD, [db.session.get(Team, world.vpc)])
        db.session.commit()
        return unit.id


def test_a_handoff_to_the_avhopparteam_reaches_that_unit_only(app, adult, avhopp, browsing):
    admin = browsing.new_page()
    log_in(browsing, admin, "admin", lands_on="/admin/")
    admin.get_by_role("link", name="Avhopparverksamheten").click()
    expect(admin.locator("h1")).to_have_text("Avhopparverksamheten")
    admin.get_by_label("Första kontakt inom (timmar)").fill("48")
    browsing.check(admin, "admin-unit")
    admin.get_by_role("button", name="Spara").click()
    expect(admin.locator(".flash.success")).to_contain_text("Teamet är sparat")
    expect(admin.get_by_label("Första kontakt inom (timmar)")).to_have_value("48")

    worker = browsing.new_page()
    log_in(browsing, worker, "falt_a")
    record_consent(browsing, worker, adult, "exit", "Stöd att lämna kriminaliteten.")

    worker.goto(address_for("handoffs.new_handoff", public_id=adult))
    form = worker.locator("#handoff-form")
    expect(worker.locator("main")).to_contain_text(
        "Avhopparverksamheten tar första kontakt inom 48 timmar"
    )
    chip(form, "to_unit", avhopp).click()
    fill_handoff(form, "Vill lämna gänget.", "Har bett om hjälp att ta sig ur.")
    browsing.check(worker, "handoff-to-avhopp")
    form.locator("button[type=submit]").click()
    expect(worker).to_have_url(re.compile(r"/overlamningar/[^/]+$"))
    expect(worker.locator("main")).to_contain_text("Avhopparverksamheten")
    handoff_url = worker.url

    unit = browsing.new_page()
    log_in(browsing, unit, "avhopp", lands_on="/vpc")
    expect(unit.locator("#notice-badge .count")).to_have_text("1")
    unit.locator("main a", has_text="Kille i keps").first.click()
    expect(unit.locator("main")).to_contain_text("Vill lämna gänget.")
    browsing.check(unit, "avhopp-handoff")

    vpc = browsing.new_page()
    log_in(browsing, vpc, "vpc", lands_on="/vpc")
    expect(vpc.locator("main")).not_to_contain_text("Kille i keps")
    assert vpc.goto(handoff_url).status == 404
    browsing.expect_failed_load(vpc, "status of 404")

    # the clock: 36 of the unit's 48 hours have passed
    with app.app_context():
        handoff = db.session.execute(select(Handoff)).scalar_one()
        assert handoff.first_contact_due_at - handoff.sent_at == timedelta(hours=48)
        first_contact.tick(browsing.base_url, handoff.sent_at + timedelta(hours=37))
        db.session.commit()
    lead = browsing.new_page()
    log_in(browsing, lead, "avhopp_lead", lands_on="/vpc")
    lead.goto(address_for("notifications.index"))
    expect(lead.locator("main")).to_contain_text("Tre fjärdedelar av tiden till första kontakt")
    browsing.check(lead, "avhopp-lead-warned")
    vpc_lead = browsing.new_page()
    log_in(browsing, vpc_lead, "vpc_lead", lands_on="/vpc")
    vpc_lead.goto(address_for("notifications.index"))
    expect(vpc_lead.locator("main")).not_to_contain_text("Tre fjärdedelar")
