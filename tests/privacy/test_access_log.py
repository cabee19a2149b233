"""Loggkontroll: the team lead sees who read, exported or printed the team's youths, filtered,
with unusual access flagged; reviews are recorded, listed and exported."""

import importlib
import inspect
import pkgutil
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

import outreach.stats
from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.clock import today
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.privacy.models import AccessReview
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.factories import local, log_named, make_past_shift, make_youth

#: Every module the statistics are made by.
STATISTICS_MODULES = [
    importlib.import_module(f"outreach.stats.{name}")
    for _finder, name, _package in pkgutil.iter_modules(outreach.stats.__path__)
]


@pytest.fixture
def youths(app, world):
    """Team A: one youth met by falt_a on a shift, one with protected identity, three living
    in another area; team B: one youth."""
    with app.app_context():
        team, area = db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        other = db.session.get(Area, world.other_area)
        worker = db.session.get(User, world.worker_a)
        met = make_youth(worker, team, "Mött", home_area=area)
        shift = make_past_shift(team, area, [worker], local("2026-11-02 18:00"))
        log_named(shift, [met], local("2026-11-02 18:30"))
        protected = make_youth(worker, team, "Skyddad", protected_identity=True)
        far = [make_youth(worker, team, f"Långt bort {n}", home_area=other) for n in range(3)]
        b = make_youth(
            db.session.get(User, world.worker_b), db.session.get(Team, world.team_b), "Team B"
        )
        db.session.commit()
        return {
            "met": met.public_id,
            "protected": protected.public_id,
            "far": [y.public_id for y in far],
            "b": b.public_id,
        }


def _rows(page: str) -> list[str]:
    return [row for row in page.split("<tr>")[2:]]


def test_the_lead_sees_accesses_to_the_team_s_youths_only(app, world, signed_in, youths):
    signed_in("falt_a").get(address_for("casefile.youth", public_id=youths["met"]))
    signed_in("falt_b").get(address_for("casefile.youth", public_id=youths["b"]))
    lead = signed_in("lead_a")
    page = lead.get(address_for("privacy.access_log_page")).get_data(as_text=True)
    assert "Mött" in page and "Fatima Fält" in page
    assert "Team B" not in page and "Sara Öberg" not in page
    assert signed_in("falt_a").get(address_for("privacy.access_log_page")).status_code == 403
    assert signed_in("admin").get(address_for("privacy.access_log_page")).status_code == 403
    assert signed_in("vpc").get(address_for("privacy.access_log_page")).status_code == 403


def test_unusual_accesses_are_flagged(app, world, signed_in, youths, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESS_REVIEW_MANY_YOUTHS", 3)
    day = today() - timedelta(days=2)
    with time_machine.travel(local(f"{day} 23:30"), tick=False):
        signed_in("falt_a2").get(
            address_for("casefile.youth", public_id=youths["met"])
        )  # at night, never met
    with time_machine.travel(local(f"{day} 14:00"), tick=False):
        signed_in("falt_a").get(
            address_for("casefile.youth", public_id=youths["met"])
        )  # met on the shift: nothing
        signed_in("lead_a").get(address_for("casefile.youth", public_id=youths["protected"]))
        with app.app_context():  # falt_a2 is out in Möllevången that day
            make_past_shift(
                db.session.get(Team, world.team_a),
                db.session.get(Area, world.area),
                [db.session.get(User, world.worker_a2)],
                local(f"{day} 12:00"),
            )
            db.session.commit()
        reader = signed_in("falt_a2")
        for public_id in youths["far"]:
            reader.get(address_for("casefile.youth", public_id=public_id))
    lead = signed_in("lead_a")
    page = lead.get(address_for("privacy.access_log_page", flagged="y")).get_data(as_text=True)
    rows = _rows(page)
    night = [r for r in rows if "23:30" in r]
    assert len(night) == 1 and "På natten, utanför fältpass" in night[0]
    assert "Har aldrig mött ungdomen" in night[0]
    assert not any("Fatima Fält" in r for r in rows)  # her read was not flagged
    protected = [r for r in rows if "Skyddad" in r and "Läst" in r]
    assert protected and "Skyddad identitet" in protected[0]
    far = [r for r in rows if "Långt bort" in r and "Läst" in r]
    assert len(far) == 3
    assert all("Många ungdomar utanför användarens passområden" in r for r in far)
    everything = lead.get(address_for("privacy.access_log_page")).get_data(as_text=True)
    assert "Fatima Fält" in everything


def test_filters_by_youth_user_and_period(app, world, signed_in, youths):
    signed_in("falt_a").get(address_for("casefile.youth", public_id=youths["met"]))
    signed_in("falt_a2").get(address_for("casefile.youth", public_id=youths["far"][0]))
    lead = signed_in("lead_a")
    by_youth = lead.get(address_for("privacy.access_log_page", ungdom=youths["met"])).get_data(
        as_text=True
    )
    assert "Mött" in by_youth and "Långt bort 0" not in by_youth.split("Filters")[-1]
    by_user = lead.get(address_for("privacy.access_log_page", user=world.worker_a2)).get_data(
        as_text=True
    )
    assert "Johan Lind" in by_user and "Fatima Fält</td>" not in by_user
    last_year = (today() - timedelta(days=400)).isoformat()
    old = lead.get(address_for("privacy.access_log_page", date_from=last_year, date_to=last_year))
    assert "Inga åtkomster matchar filtren" in old.get_data(as_text=True)
    backwards = lead.get(
        address_for("privacy.access_log_page", date_from=today(), date_to=last_year)
    )
    assert backwards.status_code == 400
    assert "Slutdatumet" in backwards.get_data(as_text=True)


def test_a_review_is_recorded_listed_and_exported(app, world, signed_in, youths):
    signed_in("falt_a").get(address_for("casefile.youth", public_id=youths["met"]))
    lead = signed_in("lead_a")
    start = (today() - timedelta(days=30)).isoformat()
    empty = lead.post(
        address_for("privacy.record_review"),
        data={"team": world.team_a, "period_from": start, "period_to": today().isoformat()},
    )
    assert empty.status_code == 422
    assert "inget att anmärka" in empty.get_data(as_text=True)
    future = lead.post(
        address_for("privacy.record_review"),
        data={
            "team": world.team_a,
            "period_from": start,
            "period_to": (today() + timedelta(days=1)).isoformat(),
            "findings": "Inget.",
        },
    )
    assert future.status_code == 422
    done = lead.post(
        address_for("privacy.record_review"),
        data={
            "team": world.team_a,
            "period_from": start,
            "period_to": today().isoformat(),
            "findings": "Inget att anmärka.",
            "follow_up": "Samtal med Johan om nattläsning.",
        },
    )
    assert done.status_code == 303
    with app.app_context():
        review = db.session.execute(select(AccessReview)).scalar_one()
        assert review.accesses >= 1 and review.reviewed_by_id == world.lead_a
    listing = lead.get(address_for("privacy.reviews")).get_data(as_text=True)
    assert "Inget att anmärka." in listing and "Samtal med Johan" in listing
    csv = lead.get(address_for("privacy.export_reviews", fmt="csv")).get_data(as_text=True)
    assert "Inget att anmärka." in csv and "Tomas Lead" in csv
    assert lead.get(address_for("privacy.export_reviews", fmt="xlsx")).status_code == 200
    assert (
        signed_in("falt_a").get(address_for("privacy.export_reviews", fmt="csv")).status_code == 403
    )


def test_the_youth_page_shows_its_access_history_to_the_lead_only(app, world, signed_in, youths):
    signed_in("falt_a2").get(address_for("casefile.youth", public_id=youths["met"]))
    lead_page = (
        signed_in("lead_a")
        .get(address_for("casefile.youth", public_id=youths["met"]))
        .get_data(as_text=True)
    )
    assert "Senaste åtkomster" in lead_page and "Johan Lind" in lead_page
    worker_page = (
        signed_in("falt_a")
        .get(address_for("casefile.youth", public_id=youths["met"]))
        .get_data(as_text=True)
    )
    assert "Senaste åtkomster" not in worker_page


def test_reading_the_log_is_itself_logged_and_staff_statistics_never_read_it(
    app, world, signed_in, youths
):
    signed_in("falt_a").get(address_for("casefile.youth", public_id=youths["met"]))
    lead = signed_in("lead_a")
    lead.get(address_for("privacy.access_log_page"))
    again = lead.get(address_for("privacy.access_log_page")).get_data(as_text=True)
    assert "loggkontrollen" not in again  # its own lists are in the trail, not shown here
    with app.app_context():
        youth_id = db.session.execute(
            select(Youth.id).where(Youth.public_id == youths["met"])
        ).scalar()
        listed = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.youth_id == youth_id,
                AuditEvent.action == AuditAction.LIST,
                AuditEvent.detail == "access log",
            )
        ).scalars()
        assert [event.user_id for event in listed] == [world.lead_a, world.lead_a]
    for module in STATISTICS_MODULES:
        assert "AuditEvent" not in inspect.getsource(module)
        assert "audit" not in inspect.getsource(module).lower()


def test_a_huge_or_odd_row_number_in_the_address_starts_from_the_top(app, world, signed_in, youths):
    signed_in("falt_a").get(address_for("casefile.youth", public_id=youths["met"]))
    lead = signed_in("lead_a")
    for before in ("9" * 30, "-1", "abc", "1e9"):
        response = lead.get(address_for("privacy.access_log_page", before=before))
        assert response.status_code == 200
        assert "Mött" in response.get_data(as_text=True)


def test_vpc_reading_a_youth_handed_over_to_it_is_not_flagged(app, world, signed_in):
    from outreach.handoffs.models import Handoff
    from tests.factories import make_records

    with app.app_context():
        records = make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
        )
        handoff = db.session.get(Handoff, records["handoff"].id).public_id
    with time_machine.travel(local(f"{today()} 10:00"), tick=False):
        assert (
            signed_in("vpc").get(address_for("handoffs.detail", public_id=handoff)).status_code
            == 200
        )
        page = (
            signed_in("lead_a").get(address_for("privacy.access_log_page")).get_data(as_text=True)
        )
    (row,) = [r for r in _rows(page) if "Hanna Handläggare" in r]
    assert "Läst" in row and "Har aldrig mött" not in row and "På natten" not in row
    users = signed_in("lead_a").get(address_for("privacy.access_log_page")).get_data(as_text=True)
    assert f'<option value="{world.caseworker}">Hanna Handläggare</option>' in users
