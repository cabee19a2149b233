"""Data protection in a real browser: the team lead reviews the access log (a night read is
flagged), records the review, answers a register-extract request (extract page, JSON, delivery)
and sees what gallring will do; a worker is shown a likely duplicate before registering, and
the lead merges two records. axe-core checks every page."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.clock import now
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.personnummer import for_birth_date
from tests.addresses import address_for
from tests.browser.steps import chip, log_in, open_from_menu
from tests.factories import log_named, make_past_shift, make_youth, years_ago

pytestmark = pytest.mark.browser


@pytest.fixture
def team_youths(app, world):
    """Two youths of team A met on a shift; Johan read one of them late at night, off shift."""
    with app.app_context():
        team, area = db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        fatima = db.session.get(User, world.worker_a)
        ali = make_youth(
            fatima,
            team,
            "Ali vid torget",
            name="Ali Öström",
            birth_year=years_ago(15).year,
            personnummer=for_birth_date(years_ago(15, 20), 456),
            guardians=[("Aisha Öström", "070-123 45 67")],
        )
        bea = make_youth(fatima, team, "Bea med cykel", birth_year=years_ago(14).year)
        shift = make_past_shift(team, area, [fatima], now() - timedelta(days=3))
        log_named(shift, [ali, bea], shift.started_at + timedelta(minutes=20))
        late = (now() - timedelta(days=2)).replace(hour=22, minute=40)  # 23:40 in Stockholm
        read = audit.record(
            AuditAction.READ,
            "youth",
            ali.id,
            user_id=world.worker_a2,
            kommun_id=ali.kommun_id,
            youth_id=ali.id,
        )
        read.occurred_at = late
        db.session.commit()
        return {"ali": ali.public_id, "bea": bea.public_id}


def test_loggkontroll_and_register_extract(world, team_youths, browsing):
    lead = browsing.new_page(accept_downloads=True)
    log_in(browsing, lead, "lead_a")
    open_from_menu(lead, "Dataskydd")
    expect(lead.locator("h1")).to_have_text("Dataskydd")
    browsing.check(lead, "data-protection")

    # the access log: Johan's night read is flagged; only flagged accesses, then the review
    lead.get_by_role("link", name="Loggkontroll").click()
    expect(lead.locator("h1")).to_contain_text("Loggkontroll")
    night = lead.locator("table.log tbody tr", has_text="Johan Lind")
    expect(night).to_contain_text("På natten, utanför fältpass")
    expect(night).to_contain_text("Har aldrig mött ungdomen")
    browsing.check(lead, "access-log")
    lead.get_by_label("Bara flaggade åtkomster").check()
    lead.locator("form.filters button[type=submit]").click()
    expect(lead).to_have_url(re.compile(r"flagged=y"))
    expect(lead.locator("table.log tbody tr", has_text="Johan Lind")).to_have_count(1)
    expect(lead.locator("table.log tbody tr:not(:has(.badge))")).to_have_count(0)
    browsing.check(lead, "access-log-flagged")
    review = lead.locator("#review-form")
    review.get_by_label("Vad granskningen visade").fill(
        "En läsning sent på kvällen utanför pass; frågat Johan, gällde en oro han fått sms om."
    )
    review.get_by_label("Uppföljning").fill("Inget mer.")
    review.get_by_role("button", name="Registrera granskningen").click()
    expect(lead).to_have_url(re.compile(r"/loggkontroll/granskningar$"))
    expect(lead.locator("main")).to_contain_text("frågat Johan")
    browsing.check(lead, "access-reviews")

    # a register-extract request: registered on the youth's page, due in a month
    lead.goto(address_for("casefile.youth", public_id=team_youths["ali"]))
    records = lead.locator("#records")
    expect(records).to_contain_text("Senaste åtkomster")
    browsing.check(lead, "youth-record-keeping")
    records.get_by_role("link", name="Registrera en begäran om registerutdrag").click()
    form = lead.locator("#request-form")
    chip(form, "requested_by", "guardian").click()
    browsing.check(lead, "new-request")
    form.get_by_role("button", name="Registrera begäran").click()
    expect(lead).to_have_url(re.compile(r"/registerutdrag/[\w-]{16}$"))
    expect(lead.locator(".flashes")).to_contain_text("Utdraget ska lämnas senast")
    browsing.check(lead, "request")

    lead.get_by_role("link", name="Öppna utdraget").click()
    expect(lead.locator("h1")).to_have_text("Registerutdrag")
    expect(lead.locator("main")).to_contain_text("Ali Öström")
    expect(lead.locator("main")).to_contain_text("Aisha Öström")
    expect(lead.locator("#section-access_log")).to_be_visible()
    browsing.check(lead, "extract")
    lead.get_by_role("link", name="Tillbaka till begäran").click()

    with lead.expect_download() as download:
        lead.get_by_role("link", name="Ladda ner som JSON").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["youth"][0]["name"] == "Ali Öström"
    assert any(row["user"] == "Johan Lind" for row in document["access_log"])

    delivery = lead.locator("#delivery-form")
    delivery.get_by_label("Hur det lämnades").fill("Överlämnat personligen till vårdnadshavaren.")
    delivery.get_by_role("button", name="Registrera att utdraget lämnats").click()
    expect(lead.locator(".flashes")).to_contain_text("Att utdraget lämnats är registrerat")
    expect(lead.locator("main")).to_contain_text("Överlämnat personligen")
    browsing.check(lead, "request-delivered")

    lead.goto(address_for("privacy.retention_page"))
    expect(lead.locator("h1")).to_have_text("Gallring")
    browsing.check(lead, "retention")


def test_a_duplicate_is_suggested_and_merged(world, team_youths, browsing):
    worker = browsing.new_page()
    log_in(browsing, worker, "falt_a")
    worker.goto(address_for("youths.new_youth"))
    form = worker.locator("#youth-form")
    form.get_by_label("Alias").fill("Ali på torget")
    chip(form, "legal_basis", "consent").click()
    form.get_by_label("Födelseår").fill(str(years_ago(15).year))
    form.get_by_role("button", name="Registrera").click()
    expect(worker.locator("#duplicates-heading")).to_have_text("Är det någon av dessa?")
    expect(worker.locator("#youth-form")).to_contain_text("Ali vid torget")
    browsing.check(worker, "possible-duplicates")
    worker.get_by_label("Ingen av dessa är samma person").check()
    worker.locator("#youth-form").get_by_role("button", name="Registrera").click()
    expect(worker.locator(".flashes")).to_contain_text("Ungdomen är registrerad")

    lead = browsing.new_page()
    log_in(browsing, lead, "lead_a")
    lead.goto(address_for("casefile.youth", public_id=team_youths["ali"]))
    lead.get_by_role("link", name="Slå ihop med en dubblettpost").click()
    suggestion = lead.locator("li", has_text="Ali på torget")
    browsing.check(lead, "merge-suggestions")
    suggestion.get_by_role("link", name="Jämför").click()
    expect(lead.locator("table.compare")).to_contain_text("Ali på torget")
    browsing.check(lead, "merge-compare")
    lead.get_by_label("Det är samma person: slå ihop posterna.").check()
    lead.get_by_role("button", name="Slå ihop med den här posten").click()
    expect(lead.locator(".flashes")).to_contain_text("Posterna är sammanslagna")
    expect(lead.locator("main")).to_contain_text("Sammanslagna poster")
    browsing.check(lead, "merged")
