"""A team lead's week in a real browser: filter the log, load more rows without a reload,
return a shift to its worker, who answers; sign it off from the list; read the statistics with
charts; download an export; open the monthly report. axe-core checks every page."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from outreach.auth.models import User
from outreach.clock import local_date, now
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.vocabulary import Gender, Topic
from tests.addresses import address_for
from tests.browser.steps import log_in, open_from_menu
from tests.factories import log_named, log_tally, make_past_shift, make_youth

pytestmark = pytest.mark.browser
#: How tall a part of the statistics page may be at tablet size (the whole page was 6,537 px).
STATISTICS_HEIGHT = 3000


@pytest.fixture
def week(app, world):
    """Two ended shifts of team A in the last days, 60 contacts in all, one with a named youth."""
    with app.app_context():
        team, area = db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        fatima, johan = db.session.get(User, world.worker_a), db.session.get(User, world.worker_a2)
        first = make_past_shift(team, area, [fatima, johan], now() - timedelta(days=2, hours=5))
        second = make_past_shift(team, area, [johan], now() - timedelta(days=1, hours=5))
        for number in range(30):
            for shift in (first, second):
                log_tally(
                    shift,
                    area.places[number % 2],
                    shift.started_at + timedelta(minutes=5 * number),
                    1 + number % 4,
                    {Gender.GIRL: 1},
                    [Topic.SCHOOL if number % 3 else Topic.DRUGS],
                )
        log_named(first, [make_youth(fatima, team, "Åsa vid torget")], first.started_at)
        db.session.commit()
        return {"first": first.public_id, "day": local_date(first.started_at).isoformat()}


def test_review_sign_off_statistics_and_export(world, week, browsing):
    lead = browsing.new_page(accept_downloads=True)
    log_in(browsing, lead, "lead_a")
    expect(lead.locator("main")).to_contain_text("2 avslutade fältpass väntar på din granskning.")

    lead.get_by_role("link", name="Granskning", exact=True).click()
    expect(lead).to_have_url(re.compile(r"/granskning$"))
    browsing.check(lead, "review-list")
    rows = lead.locator("table.log tbody tr:not(.more-row)")
    expect(rows).to_have_count(50)
    lead.locator("tr.more-row a").click()  # htmx: the next rows, same page
    expect(rows).to_have_count(61)
    expect(lead.locator("tr.more-row")).to_have_count(0)
    assert lead.url.endswith("/granskning")

    # filters go into the address, so the view can be bookmarked
    lead.select_option("#topic", "drugs")
    lead.locator("form.filters button[type=submit]").click()
    expect(lead).to_have_url(re.compile(r"topic=drugs"))
    expect(rows).to_have_count(20)
    browsing.check(lead, "review-filtered")

    with lead.expect_download() as download:
        lead.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(exported) == 21 and all(
        "Droger" in row[exported[0].index("Ämnen")] for row in exported[1:]
    )

    # return the older shift to its workers with a comment
    lead.goto(address_for("shifts.shift_detail", public_id=week["first"]))
    browsing.check(lead, "shift-to-review")
    expect(lead.locator("main")).to_contain_text("Åsa vid torget")
    lead.fill("#comment", "Lägesbilden saknas. Vad hände vid torget?")
    lead.get_by_role("button", name="Återlämna till fältarbetarna").click()
    expect(lead.locator(".flash.success")).to_contain_text("återlämnat")

    worker = browsing.new_page()
    log_in(browsing, worker, "falt_a2")
    expect(worker.locator("main")).to_contain_text("Vad hände vid torget?")
    browsing.check(worker, "worker-start-returned")
    worker.locator("section", has_text="Fältpass som återlämnats till dig").locator(
        "a"
    ).first.click()
    worker.fill("#situation_note", "Lugnt, ett bråk vid torget som löste sig.")
    worker.get_by_role("button", name="Spara lägesbild").click()
    expect(worker.locator("#note-form .flash.success")).to_be_visible()
    worker.fill("#comment", "Kompletterat.")
    worker.get_by_role("button", name="Skicka för granskning igen").click()
    expect(worker.locator(".flash.success")).to_contain_text("granskning igen")

    # sign both off from the list of shifts waiting
    lead.goto(address_for("review.index", show="shifts", status="pending"))
    browsing.check(lead, "shifts-waiting")
    for _ in range(2):
        lead.get_by_role("button", name="Markera som granskat").first.click()
        expect(lead.locator(".flash.success")).to_contain_text("granskat")
    expect(lead.locator("main")).to_contain_text("Inget matchar filtren.")

    # statistics with charts, and the monthly report
    open_from_menu(lead, "Statistik")
    expect(lead.locator("h1")).to_contain_text("Statistik")
    # the month of the shifts: in the first days of a month they fall in the one before
    lead.goto(address_for("stats.overview", period="month", day=week["day"]))
    browsing.check(lead, "statistics")
    # each part of the page is a tab: short enough to read at tablet size, its charts drawn
    charted, heights = 0, {}
    for tab in lead.locator("nav.tabs a").all_inner_texts():
        lead.locator("nav.tabs a", has_text=tab).click()
        expect(lead.locator("nav.tabs a[aria-current=page]")).to_have_text(tab)
        assert f"day={week['day']}" in lead.url  # the period stays
        heights[tab] = lead.evaluate("() => document.documentElement.scrollHeight")
        charted += lead.locator("img.chart").count()
        assert lead.evaluate("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    browsing.check(lead, "statistics-handoffs")
    print("statistics page heights at 768 px:", heights)
    assert charted >= 5 and len(heights) == 4
    assert max(heights.values()) <= STATISTICS_HEIGHT, heights
    lead.get_by_role("link", name="Månadsrapport för utskrift").click()
    expect(lead.locator("h1")).to_contain_text("Månadsrapport")
    expect(lead.get_by_role("button", name="Skriv ut")).to_be_visible()
    browsing.check(lead, "monthly-report")
