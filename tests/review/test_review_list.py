"""The team lead's review list: filters in the address, keyset pages, a constant query count."""

import os
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.review import log as review_log
from outreach.review.filters import ReviewFilter
from outreach.risk import services as risk_services
from outreach.risk.models import WarningSign
from outreach.vocabulary import ContactKind, ReviewStatus, RiskLevel, Topic
from tests.addresses import address_for
from tests.factories import local, log_named, log_tally, make_past_shift, make_youth, signs
from tests.sql import statements_run


@pytest.fixture
def log(app, world):
    """Team A's log around the end of October 2026, and one contact of team B."""
    with app.app_context():
        team_a, team_b = db.session.get(Team, world.team_a), db.session.get(Team, world.team_b)
        molle, rosengard = db.session.get(Area, world.area), db.session.get(Area, world.other_area)
        fatima, johan = db.session.get(User, world.worker_a), db.session.get(User, world.worker_a2)
        sara = db.session.get(User, world.worker_b)
        torget, park = molle.places  # Möllevångstorget, Folkets park (sorted by name)
        s1 = make_past_shift(team_a, molle, [fatima, johan], local("2026-10-31 20:00"))
        log_tally(s1, torget, local("2026-10-31 21:00"), 2, topics=[Topic.SCHOOL])
        log_tally(s1, park, local("2026-10-31 23:30"), 3, topics=[Topic.DRUGS])
        log_tally(s1, park, local("2026-11-01 00:30"), 1, topics=[Topic.DRUGS])
        s2 = make_past_shift(
            team_a,
            rosengard,
            [fatima],
            local("2026-10-20 18:00"),
            review_status=ReviewStatus.REVIEWED,
        )
        log_tally(s2, rosengard.places[0], local("2026-10-20 19:00"), 4, topics=[Topic.CRIME])
        åke = make_youth(fatima, team_a, "Åke vid Möllevångstorget")
        log_named(s2, [åke], local("2026-10-20 19:30"), place=rosengard.places[0])
        sign = db.session.execute(signs(WarningSign.id).limit(1)).scalar_one()
        risk_services.mark(
            fatima, åke, level=RiskLevel.ELEVATED, sign_ids=[sign], comment="", review_on=None
        )
        sb = make_past_shift(team_b, molle, [sara], local("2026-10-31 20:00"))
        log_tally(sb, torget, local("2026-10-31 21:30"), 9)
        db.session.commit()
        return {"team_a": team_a.id, "torget": torget.id, "park": park.id, "johan": johan.id}


def _entries(app, world, **wanted):
    with app.app_context():
        lead = db.session.get(User, world.lead_a)
        wanted.setdefault("team_ids", (world.team_a,))
        page = review_log.contact_page(lead, ReviewFilter(**wanted), None)
        return [(entry.kind.value, entry.youth_count, entry.occurred_at) for entry in page.entries]


def test_newest_first_and_only_the_own_team(app, world, log):
    entries = _entries(app, world)
    assert [count for _kind, count, _at in entries] == [1, 3, 2, 1, 4]
    assert [at for _k, _c, at in entries] == sorted((at for _k, _c, at in entries), reverse=True)


def test_a_date_range_is_whole_stockholm_days(app, world, log):
    october_31 = _entries(app, world, date_from=date(2026, 10, 31), date_to=date(2026, 10, 31))
    # 21:00 and 23:30 on the 31st; 00:30 on 1 November (23:30 UTC on the 31st) is not
    assert [count for _kind, count, _at in october_31] == [3, 2]


@pytest.mark.parametrize(
    ("wanted", "counts"),
    [
        ({"area_id": "other_area"}, [1, 4]),
        ({"place_id": "park"}, [1, 3]),
        ({"worker_id": "johan"}, [1, 3, 2]),
        ({"topic": Topic.DRUGS}, [1, 3]),
        ({"kind": ContactKind.IDENTIFIED}, [1]),
        ({"kind": ContactKind.ANONYMOUS}, [1, 3, 2, 4]),
        ({"risk": RiskLevel.ELEVATED}, [1]),
        ({"risk": RiskLevel.ACUTE}, []),
        ({"status": ReviewStatus.REVIEWED}, [1, 4]),
        ({"status": ReviewStatus.PENDING}, [1, 3, 2]),
    ],
)
def test_each_filter(app, world, log, wanted, counts):
    ids = {"other_area": world.other_area, "park": log["park"], "johan": log["johan"]}
    wanted = {key: ids.get(value, value) for key, value in wanted.items()}
    assert [count for _kind, count, _at in _entries(app, world, **wanted)] == counts


def test_the_page_shows_swedish_names_and_logs_the_named_youth(app, world, log, login):
    client = login("lead_a")
    response = client.get(address_for("review.index"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Åke vid Möllevångstorget" in page
    assert "Folkets park" in page
    with app.app_context():
        listed = db.session.execute(
            select(func.count()).where(
                AuditEvent.action == AuditAction.LIST, AuditEvent.detail == "review list"
            )
        ).scalar_one()
    assert listed == 1


def test_filters_live_in_the_address(app, world, log, login):
    client = login("lead_a")
    address = address_for(
        "review.index",
        date_from="2026-10-31",
        date_to="2026-10-31",
        place=log["park"],
        topic="drugs",
    )
    page = client.get(address).get_data(as_text=True)
    assert page.count('class="when"') == 1
    assert f'<option selected value="{log["park"]}">' in page
    assert 'value="2026-10-31"' in page
    shifts = client.get(address + "&show=shifts").get_data(as_text=True)
    assert shifts.count('class="when"') == 1


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-13-45",
        "date_from=2026-11-02&date_to=2026-11-01",
        "topic=weapons",
        "area=abc",
        "place=999999",
        "after=not-a-cursor",
        "date_from=1066-10-14",
    ],
)
def test_bad_filters_answer_400_with_a_message(world, log, login, query):
    response = login("lead_a").get(f"/granskning?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="error"' in page or 'class="form-errors"' in page


def test_only_field_team_leads_review(world, login):
    assert login("falt_a").get(address_for("review.index")).status_code == 403
    assert login("vpc").get(address_for("review.index")).status_code == 403
    assert login("admin").get(address_for("review.index")).status_code == 403


def _many(app, world, shifts: int, per_shift: int):
    """Shifts with contacts, several logged at the same instant (ties in the order)."""
    with app.app_context():
        team = db.session.get(Team, world.team_a)
        area = db.session.get(Area, world.area)
        worker = db.session.get(User, world.worker_a)
        youth = make_youth(worker, team, "Kille i keps")
        start = local("2026-09-01 18:00")
        for number in range(shifts):
            shift = make_past_shift(team, area, [worker], start + timedelta(days=number))
            for minute in range(per_shift):
                at = shift.started_at + timedelta(minutes=minute // 2)
                log_tally(shift, area.places[0], at, 1 + minute % 3)
            log_named(shift, [youth], shift.started_at)
        db.session.commit()


def test_pages_follow_each_other_without_gaps_or_repeats(app, world, login):
    _many(app, world, shifts=6, per_shift=20)  # 120 anonymous + 6 named
    client = login("lead_a")
    seen, address = [], "/granskning?kind=anonymous"
    while address:
        page = client.get(address).get_data(as_text=True)
        seen += [line for line in page.splitlines() if 'class="when"' in line]
        more = [line for line in page.splitlines() if 'class="button secondary" href="' in line]
        more = [line for line in more if "after=" in line]
        address = more[0].split('href="')[1].split('"')[0].replace("&amp;", "&") if more else ""
        if address:
            assert parse_qs(urlparse(address).query)["kind"] == ["anonymous"]
    assert len(seen) == 120
    with app.app_context():
        lead = db.session.get(User, world.lead_a)
        wanted = ReviewFilter(team_ids=(world.team_a,))
        every = review_log.contact_page(lead, wanted, None, size=1000).entries
        keys = [entry.cursor for entry in every]
    assert len(set(keys)) == 126
    assert keys == sorted(keys, reverse=True)


def test_load_more_answers_the_rows_alone(app, world, login):
    _many(app, world, shifts=3, per_shift=20)
    client = login("lead_a")
    first = client.get(address_for("review.index")).get_data(as_text=True)
    next_address = first.split('data-hx-get="/granskning')[1].split('"')[0].replace("&amp;", "&")
    next_address = "/granskning" + next_address
    partial = client.get(next_address, headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200
    assert "<html" not in body
    assert body.count('class="when"') == 13  # 63 in all, 50 on the first page


def _statements(app, client, address) -> int:
    with statements_run(app) as run:
        assert client.get(address).status_code == 200
    if os.environ.get("SHOW_SQL"):
        print("\n".join(statement[:150].replace("\n", " ") for statement in run))
    return len(run)


@pytest.mark.parametrize("show", ["contacts", "shifts"])
def test_queries_per_page_do_not_grow_with_the_data(app, world, login, show):
    _many(app, world, shifts=2, per_shift=30)
    client = login("lead_a")
    small = _statements(app, client, f"/granskning?show={show}")
    _many(app, world, shifts=10, per_shift=40)
    large = _statements(app, client, f"/granskning?show={show}")
    assert large == small
    assert large <= 32  # a page of 50 rows: about 15 queries, whatever the log holds


def test_oldest_first_pages_the_other_way(app, world, login):
    _many(app, world, shifts=3, per_shift=20)  # 60 anonymous + 3 named, with ties
    with app.app_context():
        lead = db.session.get(User, world.lead_a)
        newest = ReviewFilter(team_ids=(world.team_a,))
        oldest = ReviewFilter(team_ids=(world.team_a,), oldest_first=True)
        forwards, cursor = [], None
        while True:
            page = review_log.contact_page(lead, oldest, cursor, size=7)
            forwards += [entry.cursor for entry in page.entries]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        newest_page = review_log.contact_page(lead, newest, None, size=1000)
        backwards = [row.cursor for row in newest_page.entries]
    assert len(forwards) == 63
    assert forwards == list(reversed(backwards))
    page = login("lead_a").get(address_for("review.index", order="oldest")).get_data(as_text=True)
    assert '<option selected value="oldest">Äldst först</option>' in page


def test_a_cursor_outside_the_calendar_is_refused(world, login):
    from base64 import urlsafe_b64encode

    for raw in ("0001-01-01T00:00:00+14:00|0|x", "9999-12-31T23:59:59-14:00|1|x"):
        token = urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        response = login("lead_a").get(address_for("review.index", after=token))
        assert response.status_code == 400


def test_filters_that_rule_out_every_contact_leave_no_shift(app, world, log, login):
    page = login("lead_a").get(
        address_for("review.index", show="shifts", kind="anonymous", risk="acute")
    )
    assert page.status_code == 200
    assert "Inget matchar filtren." in page.get_data(as_text=True)


def test_show_more_with_a_damaged_address_says_so_in_the_list(world, log, login):
    response = login("lead_a").get(
        address_for("review.index", after="x"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Sidans adress är skadad" in response.get_data(as_text=True)
