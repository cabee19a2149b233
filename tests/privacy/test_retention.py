"""Gallring: when a youth is due, what holds it, what is archived, and that deletion leaves no
trace of the person. The clock is moved (time-machine) to record activity in the past; runs
are judged as of chosen days."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from outreach.audit import AuditEvent
from outreach.auth.models import User
from outreach.clock import today
from outreach.crypto import SubjectKey
from outreach.extensions import db
from outreach.handoffs import services as handoffs
from outreach.handoffs.models import Handoff
from outreach.notifications.models import Notification, OutboxMail
from outreach.org.models import Area, Team
from outreach.privacy import erasure, retention, services
from outreach.privacy.models import AccessRequest, RetentionRun
from outreach.shifts.models import AnonymousContact
from outreach.vocabulary import RetentionHold
from outreach.youths import services as youth_services
from outreach.youths.models import IdentifiedContact, Youth
from tests.addresses import address_for
from tests.dumps import dump_files, dump_rows, personnummer_shapes
from tests.factories import (
    default_kommun,
    local,
    log_named,
    log_tally,
    make_past_shift,
    make_records,
    make_youth,
    personnummer_for,
)


@pytest.fixture
def archive_dir(app, tmp_path, monkeypatch):
    """Archive files go to a directory of the test's own."""
    directory = tmp_path / "archive"
    monkeypatch.setitem(app.config, "ARCHIVE_DIR", str(directory))
    return directory


def _at(text: str):
    """The clock stopped at a Stockholm wall-clock time."""
    return time_machine.travel(local(text), tick=False)


def _youth(world, alias: str, **details) -> int:
    youth = make_youth(
        db.session.get(User, world.worker_a), db.session.get(Team, world.team_a), alias, **details
    )
    db.session.commit()
    return youth.id


# --- the dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "eligible", "deadline"),
    [
        (date(2020, 6, 15), date(2025, 6, 16), date(2026, 12, 31)),
        # the last day of a year: due from New Year's Day five years on, gone a year later
        (date(2020, 12, 31), date(2026, 1, 1), date(2027, 12, 31)),
        # a leap day ages to the first of March in a year without one
        (date(2020, 2, 29), date(2025, 3, 1), date(2026, 12, 31)),
        (date(2020, 2, 28), date(2025, 3, 1), date(2026, 12, 31)),
        (date(2019, 2, 28), date(2024, 2, 29), date(2025, 12, 31)),
        (date(2019, 3, 1), date(2024, 3, 2), date(2025, 12, 31)),
    ],
)
def test_when_a_youth_becomes_due_and_must_be_gone(last, eligible, deadline):
    assert retention.eligible_on(last, 5) == eligible
    assert retention.deadline(eligible) == deadline
    assert retention.eligible_on(retention.latest_due_activity(eligible, 5), 5) <= eligible
    assert retention.latest_due_activity(eligible, 5) >= last


def test_edge_dates_are_due_on_the_right_day(app, world):
    with app.app_context():
        with _at("2020-02-29 18:00"):
            leap = _youth(world, "Skottdag")
        with _at("2020-12-31 23:30"):  # 22:30 UTC: still the 31st in Stockholm
            new_year = _youth(world, "Nyårsafton")
        with _at("2021-01-01 00:30"):  # 23:30 UTC on the 31st: the 1st in Stockholm
            new_year_day = _youth(world, "Nyårsdagen")

        def due_on(day):
            return {d.youth_id for d in retention.due(default_kommun(), day)}

        assert leap not in due_on(date(2025, 2, 28))
        assert leap in due_on(date(2025, 3, 1))
        assert new_year not in due_on(date(2025, 12, 31))
        assert new_year in due_on(date(2026, 1, 1))
        assert new_year_day not in due_on(date(2026, 1, 1))
        assert new_year_day in due_on(date(2026, 1, 2))
        (item,) = [
            d for d in retention.due(default_kommun(), date(2026, 1, 1)) if d.youth_id == new_year
        ]
        assert item.last_activity == date(2020, 12, 31)
        assert item.due_by == date(2027, 12, 31)


def test_any_activity_restarts_the_time_and_reading_does_not(app, world, signed_in):
    with app.app_context():
        with _at("2019-05-01 18:00"):
            quiet = _youth(world, "Tyst")
            active = _youth(world, "Aktiv")
        with _at("2023-09-10 19:00"):
            youth = db.session.get(Youth, active)
            shift = make_past_shift(
                db.session.get(Team, world.team_a),
                db.session.get(Area, world.area),
                [db.session.get(User, world.worker_a)],
                local("2023-09-10 18:00"),
            )
            log_named(shift, [youth], local("2023-09-10 18:30"))
            db.session.commit()
            youth_services.record_read(
                db.session.get(User, world.lead_a), db.session.get(Youth, quiet)
            )
            db.session.commit()
        due = {d.youth_id: d for d in retention.due(default_kommun(), date(2026, 12, 1))}
        assert quiet in due and active not in due
        assert due[quiet].last_activity == date(2019, 5, 1)
        assert retention.status_of(db.session.get(Youth, active)).eligible_on == date(2028, 9, 11)


# --- holds and the archive --------------------------------------------------------------------


def test_holds_keep_records_and_birthdays_are_archived(app, world, archive_dir):
    as_of = date(2026, 12, 1)
    with app.app_context():
        lead = db.session.get(User, world.lead_a)
        with _at("2019-03-04 17:00"):
            plain = _youth(world, "Vanlig", personnummer=personnummer_for(date(2009, 4, 6), 123))
            _youth(
                world,
                "Arkivbarn",
                name="Ada Arkiv",
                personnummer=personnummer_for(date(2009, 4, 15), 124),
            )
            held = _youth(world, "Bevarad")
            asked = _youth(world, "Begärde")
        with _at("2024-01-10 12:00"):
            recent = _youth(world, "Ny")
        services.set_hold(lead, db.session.get(Youth, held), "Rättegång pågår.")
        services.register_request(
            lead,
            db.session.get(Youth, asked),
            requested_by=services.Requester.YOUTH,
            received_on=today(),
        )
        db.session.commit()

        report = retention.dry_run(default_kommun(), as_of)
        assert (report.due, report.to_delete, report.to_archive) == (4, 2, 1)
        assert report.held == {RetentionHold.LEGAL_HOLD: 1, RetentionHold.ACCESS_REQUEST: 1}
        assert report.deleted_rows["youth"] == 2
        assert db.session.get(Youth, plain) is not None  # a dry run changes nothing

        applied = retention.apply(default_kommun(), as_of)
        db.session.commit()
        remaining = set(db.session.execute(select(Youth.id)).scalars())
        assert remaining == {held, asked, recent}
        assert applied.deleted_rows == report.deleted_rows
        run = db.session.execute(select(RetentionRun)).scalar_one()
        assert (run.youths_deleted, run.youths_archived, run.youths_held) == (2, 1, 2)
        assert json.loads(run.counts)["youth"] == 2
        assert "Arkivbarn" not in str(vars(run))  # counted, never named

        (archive_file,) = archive_dir.iterdir()
        assert archive_file.name == run.archive_file
        assert oct(archive_file.stat().st_mode & 0o777) == "0o600"
        document = json.loads(archive_file.read_text())
        (kept,) = document["youths"]
        assert kept["youth"][0]["alias"] == "Arkivbarn"
        assert kept["youth"][0]["name"] == "Ada Arkiv"
        born_15th = personnummer_for(date(2009, 4, 15), 124)
        assert kept["youth"][0]["personnummer"] == f"{born_15th[:8]}-{born_15th[8:]}"

        # the hold lifted and the extract delivered: the next run deletes both
        services.lift_hold(lead, db.session.get(Youth, held))
        request = db.session.execute(select(AccessRequest)).scalar_one()
        request.produced_at, request.delivered_on = request.registered_at, today()
        db.session.commit()
        assert {d.youth_id for d in retention.due(default_kommun(), as_of) if not d.holds} == {
            held,
            asked,
        }


def test_an_unfinished_handoff_holds_and_a_withdrawn_one_does_not(app, world, archive_dir):
    with app.app_context():
        with _at("2019-03-04 17:00"):
            records = make_records(
                db.session.get(Team, world.team_a),
                db.session.get(User, world.worker_a),
                db.session.get(Area, world.area),
            )
            youth_id, handoff_id = records["youth"].id, records["handoff"].id
            records["request"].delivered_on = today()
            db.session.commit()
        (item,) = retention.due(default_kommun(), date(2026, 12, 1))
        assert item.holds == [RetentionHold.OPEN_HANDOFF]
        with _at("2019-03-05 09:00"):
            handoffs.take_step(
                db.session.get(User, world.worker_a),
                db.session.get(Handoff, handoff_id),
                "withdraw",
            )
            db.session.commit()
        (item,) = retention.due(default_kommun(), date(2026, 12, 1))
        assert item.youth_id == youth_id and item.holds == []
        assert item.last_activity == date(2019, 3, 5)  # the withdrawal was the last activity


# --- deleting leaves no trace ------------------------------------------------------------------


def test_deletion_leaves_no_trace_of_the_person(
    app, world, signed_in, archive_dir, database_url, tmp_path
):
    """A youth with a full history (contacts, a correction, an edit kept in the audit trail,
    a risk marking, consent, a sent report, a handoff with mail to VPC, a merged duplicate,
    a lifted hold, a delivered extract) is deleted without a trace in a full dump; a contact
    shared with a youth who stays keeps its text for that youth."""
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        lead = db.session.get(User, world.lead_a)
        team = db.session.get(Team, world.team_a)
        db.session.get(User, world.caseworker).email = "hanna@vpc.example"  # gets mail
        with _at("2019-03-04 17:00"):
            records = make_records(team, worker, db.session.get(Area, world.area))
            youth = records["youth"]
            youth_id = youth.id
            pnr = youth.personnummer
            youth_services.update(
                worker,
                youth,
                youth_services.YouthDetails(
                    alias="Zebrakepsen",
                    legal_basis=youth.legal_basis,
                    name="Zlatan Zebrasson",
                    personnummer=pnr,
                    guardians=[("Zelda Zebrasson", "070-111 22 33")],
                ),
            )
            from outreach.casefile import merge
            from outreach.reports import services as reports

            reports.mark_sent(worker, records["report"])
            duplicate = make_youth(worker, team, "Zebra dubblett", name="Z. Zebrasson")
            youth_services.update(
                worker,
                duplicate,
                youth_services.YouthDetails(
                    alias="Zebra dubblett",
                    legal_basis=duplicate.legal_basis,
                    name="Z. Zebrasson",
                    school="Zebraskolan",
                ),
            )
            ids = [youth_id, duplicate.id]
            merge.merge(lead, youth, duplicate)
            services.set_hold(lead, youth, "Tillfälligt.")
            services.lift_hold(lead, youth)
            records["request"].produced_at = records["request"].registered_at
            records["request"].delivered_on = today()
            handoffs.take_step(worker, records["handoff"], "withdraw")
            stays = make_youth(worker, team, "Stannar")
            shared = log_named(
                records["shift"],
                [db.session.get(Youth, youth_id), stays],
                local("2019-03-04 18:00"),
            )
            shared_id, stays_id = shared.id, stays.id
            db.session.commit()
        with _at("2024-05-01 17:00"):  # the other youth is still active
            youth_services.update(
                worker,
                stays,
                youth_services.YouthDetails(
                    alias="Stannar", legal_basis=stays.legal_basis, school="Kvarnby"
                ),
            )
            db.session.commit()
        assert db.session.scalar(select(func.count(OutboxMail.id))) > 0
        assert db.session.scalar(select(func.count(Notification.id))) > 0
        changes_before = db.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.youth_id.in_(ids), AuditEvent.changes.is_not(None)
            )
        )
        assert changes_before == 3  # both edits, and what the merge filled in

        retention.apply(default_kommun(), date(2026, 12, 1))
        db.session.commit()

        assert db.session.get(Youth, youth_id) is None
        assert db.session.get(Youth, stays_id) is not None
        contact = db.session.get(IdentifiedContact, shared_id)
        assert [y.id for y in contact.youths] == [stays_id]  # the link went, the entry stays
        assert db.session.scalar(select(func.count(OutboxMail.id))) == 0
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        assert (
            db.session.scalar(
                select(func.count(SubjectKey.youth_id)).where(SubjectKey.youth_id == youth_id)
            )
            == 0
        )
        # the audit trail keeps its rows, but what they kept of the person is unreadable
        kept = (
            db.session.execute(
                select(AuditEvent).where(
                    AuditEvent.youth_id.in_(ids), AuditEvent.changes.is_not(None)
                )
            )
            .scalars()
            .all()
        )
        assert len(kept) == changes_before
        assert all(event.changed is None for event in kept)

        rows = dump_rows()
        files = dump_files(database_url, tmp_path)
    traces = [
        *personnummer_shapes(pnr),
        "Zebrakepsen",
        "Zebrasson",
        "Zelda",
        "Kim Exempel",
        "Förälder Exempel",
        "zebrakepsen",  # the folded search key
        "Zebraskolan",
    ]
    for trace in traces:
        assert trace not in rows, trace
        assert trace.encode() not in files, trace


# --- anonymous notes -------------------------------------------------------------------------


def test_old_notes_of_anonymous_contacts_are_cleared_and_the_tallies_stay(app, world):
    with app.app_context():
        team, area = db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        worker = db.session.get(User, world.worker_a)
        shift = make_past_shift(team, area, [worker], local("2025-11-20 18:00"))
        place = area.places[0]
        old = log_tally(shift, place, local("2025-11-30 23:30"), youths=3)
        newer = log_tally(shift, place, local("2025-12-01 00:30"), youths=2)
        old.note, newer.note = "Lugnt vid torget.", "Många ute."
        db.session.commit()
        assert erasure.notes_to_clear(default_kommun().id, date(2026, 12, 1)) == 1
        report = retention.apply(default_kommun(), date(2026, 12, 1))
        db.session.commit()
        assert report.notes == 1
        notes = dict(
            db.session.execute(select(AnonymousContact.youth_count, AnonymousContact.note)).all()
        )
        assert notes == {3: "", 2: "Många ute."}


# --- the command and the page ------------------------------------------------------------------


def test_the_command_reports_a_dry_run_and_applies(app, world, runner, archive_dir):
    with app.app_context():
        with _at("2019-03-04 17:00"):
            _youth(world, "Gammal", personnummer=personnummer_for(date(2008, 1, 25), 321))
            _youth(world, "Hållen")
        held = db.session.execute(select(Youth).where(Youth.alias == "Hållen")).scalar_one()
        services.set_hold(db.session.get(User, world.lead_a), held, "Utredning.")
        db.session.commit()
    dry = runner.invoke(args=["privacy", "retention", "--dry-run", "--as-of", "2026-12-01"])
    assert dry.exit_code == 0, dry.output
    assert "youths due: 2" in dry.output
    assert "legal_hold: 1" in dry.output
    assert "youths to delete: 1, of which archived first: 1" in dry.output
    assert "Gammal" not in dry.output
    applied = runner.invoke(args=["privacy", "retention", "--apply", "--as-of", "2026-12-01"])
    assert applied.exit_code == 0, applied.output
    assert "rows deleted by table:" in applied.output and "archive:" in applied.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Youth.id))) == 1
    assert runner.invoke(args=["privacy", "retention"]).exit_code == 2
    ahead = (today() + timedelta(days=1)).isoformat()
    early = runner.invoke(args=["privacy", "retention", "--apply", "--as-of", ahead])
    assert early.exit_code == 1 and "inte har kommit" in early.output
    assert (
        runner.invoke(args=["privacy", "retention", "--dry-run", "--as-of", ahead]).exit_code == 0
    )


def test_the_page_shows_the_admin_counts_and_the_lead_the_youths(
    app, world, signed_in, archive_dir
):
    with app.app_context(), _at("2019-03-04 17:00"):
        _youth(world, "Förfallen")
    admin = signed_in("admin")
    page = admin.get(address_for("privacy.retention_page")).get_data(as_text=True)
    assert "Fältgruppen Söder" in page and "Förfallen" not in page
    lead_page = (
        signed_in("lead_a").get(address_for("privacy.retention_page")).get_data(as_text=True)
    )
    assert "Förfallen" in lead_page
    assert signed_in("falt_a").get(address_for("privacy.retention_page")).status_code == 403
    assert (
        signed_in("lead_a")
        .post(address_for("privacy.run_retention"), data={"confirm": "y"})
        .status_code
        == 403
    )
    refused = admin.post(address_for("privacy.run_retention"), data={})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Youth.id))) == 1
    assert (
        admin.post(address_for("privacy.run_retention"), data={"confirm": "y"}).status_code == 303
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Youth.id))) == 0
        run = db.session.execute(select(RetentionRun)).scalar_one()
        assert run.ran_by_id == world.admin
    assert "1 ungdomar gallrade" in admin.get(address_for("privacy.retention_page")).get_data(
        as_text=True
    )


def test_records_about_to_become_due_are_listed_for_the_lead(app, world, signed_in):
    with app.app_context():
        with _at(f"{today().replace(year=today().year - 5)} 12:00"):
            soon = _youth(world, "Snart")  # due tomorrow
        with _at(f"{today().replace(year=today().year - 4)} 12:00"):
            _youth(world, "Senare")
        assert [d.youth_id for d in retention.due_and_upcoming(default_kommun(), today())[1]] == [
            soon
        ]
        assert retention.due(default_kommun(), today()) == []
    page = signed_in("lead_a").get(address_for("privacy.retention_page")).get_data(as_text=True)
    upcoming = page.split('id="upcoming-heading"')[1]
    assert "Snart" in upcoming and "Senare" not in upcoming
    overview = signed_in("lead_a").get(address_for("privacy.overview")).get_data(as_text=True)
    assert "1 till inom 60 dagar" in overview
