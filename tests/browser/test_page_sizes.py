"""What the key pages cost a tablet on the wire: each page with its CSS, JS and images at most
60 KB compressed on a first visit (nothing cached), each htmx part at most 8 KB. Measured with
the browser's Resource Timing in a context without the service worker (which would hand the
page over already unpacked); the table is printed and written to test-artifacts/."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from outreach.auth.models import User
from outreach.clock import local_date, now
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.vocabulary import Gender, Topic
from tests.addresses import address_for
from tests.browser.conftest import ARTIFACTS
from tests.browser.steps import log_in
from tests.factories import log_tally, make_past_shift, make_records

pytestmark = pytest.mark.browser

PAGE_LIMIT, PART_LIMIT = 60 * 1024, 8 * 1024
#: Where a role lands after logging in.
LANDS_ON = {"vpc": "/vpc", "admin": "/admin/"}

_TRANSFERRED = """() => {
  const navigation = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource')
    .filter(r => !['fetch', 'xmlhttprequest'].includes(r.initiatorType));
  return navigation.transferSize + resources.reduce((total, r) => total + r.transferSize, 0);
}"""


@pytest.fixture
def data(app, world):
    """Team A's records of every kind, and two weeks of tallies for the statistics."""
    with app.app_context():
        team, area = db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        worker = db.session.get(User, world.worker_a)
        records = make_records(team, worker, area)
        for day in range(14):
            shift = make_past_shift(team, area, [worker], now() - timedelta(days=day + 1))
            for number in range(6):
                log_tally(
                    shift,
                    area.places[number % 2],
                    shift.started_at + timedelta(minutes=10 * number),
                    1 + number % 3,
                    {Gender.GIRL: 1},
                    [Topic.SCHOOL],
                )
        db.session.commit()
        return {kind: record.public_id for kind, record in records.items()} | {
            "day": local_date(now() - timedelta(days=2)).isoformat()
        }


def _first_visit(browsing, sessions: dict, username: str, address: str) -> int:
    """Bytes sent for the page at the address, in a fresh context (empty cache) with the
    user's session (each user logs in once)."""
    if username not in sessions:
        page = browsing.new_page()
        log_in(browsing, page, username, lands_on=LANDS_ON.get(username, "/"))
        sessions[username] = page.context.storage_state()
    fresh = browsing.new_page(storage_state=sessions[username])
    fresh.goto(address)
    fresh.wait_for_load_state("load")
    return fresh.evaluate(_TRANSFERRED)


def test_pages_and_parts_are_small_enough_for_a_tablet(app, world, data, browsing):
    pages = [
        ("falt_a", "/", "start page"),
        ("falt_a", f"/faltpass/{data['shift']}/anonym-kontakt", "anonymous contact form"),
        ("falt_a", "/ungdomar", "youth search"),
        ("falt_a", f"/ungdomar/{data['youth']}", "youth page"),
        ("falt_a", f"/faltpass/{data['shift']}", "shift"),
        ("lead_a", "/granskning", "review list"),
        ("lead_a", f"/statistik?period=month&day={data['day']}", "statistics"),
        ("lead_a", "/loggkontroll", "access log review"),
        ("lead_a", "/gallring", "gallring"),
        ("vpc", "/vpc", "VPC inbox"),
        ("vpc", f"/overlamningar/{data['handoff']}", "handoff"),
        ("admin", "/admin/", "administration"),
    ]
    sessions = {}
    rows = [
        (name, username, _first_visit(browsing, sessions, username, address))
        for username, address, name in pages
    ]

    # htmx parts: a live search, and the next rows of the review list
    parts = []

    def measured(username: str):
        page = browsing.new_page()
        page.on(
            "requestfinished",
            lambda request: (
                parts.append((request.url, request.sizes()["responseBodySize"]))
                if request.headers.get("hx-request") == "true" and "badge" not in request.url
                else None
            ),
        )
        log_in(browsing, page, username)
        return page

    page = measured("falt_a")
    page.goto(address_for("casefile.search"))
    with page.expect_request_finished(lambda request: request.method == "POST"):
        page.locator("#q").fill("Barn")
    expect(page.locator("#youth-results")).to_contain_text("Barn")
    page = measured("lead_a")
    page.goto(address_for("review.index"))
    with page.expect_request_finished(lambda request: "after=" in request.url):
        page.locator("tr.more-row a").click()
    expect(page.locator("tr.more-row")).to_have_count(0)
    assert page.url.endswith("/granskning")  # the rows came by htmx, not a new page

    lines = [f"{'page':<26} {'role':<8} {'bytes':>7}"]
    lines += [f"{name:<26} {username:<8} {size:>7}" for name, username, size in rows]
    lines += [
        f"{'part ' + url.split('/', 3)[-1][:20]:<26} {'':<8} {size:>7}" for url, size in parts
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-sizes.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    assert len(parts) == 2, parts
    too_big = [row for row in rows if row[2] > PAGE_LIMIT]
    assert not too_big, f"pages over {PAGE_LIMIT} bytes: {too_big}"
    assert all(size <= PART_LIMIT for _url, size in parts), parts
