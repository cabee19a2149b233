"""The contacts' daily tallies against a fresh count of the contacts, after every kind of change:
logging, correcting, changing and deleting contacts and their rows, merging two youths,
erasing a youth (and a dry run of it, undone), and two writers on one team's day at once."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from outreach.auth.models import User
from outreach.casefile import merge
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.privacy import erasure
from outreach.shifts.models import AnonymousContact, ContactCount, ContactTopic, Shift
from outreach.stats import periods
from outreach.stats import services as stats
from outreach.vocabulary import Action, AgeBand, Gender, Period, Topic
from outreach.youths import tallies
from outreach.youths.models import Youth
from outreach.youths.tallies import ContactTally
from tests.factories import local, log_named, log_tally, make_past_shift, make_youth

OCTOBER = periods.period_for(Period.MONTH, date(2026, 10, 14))


@pytest.fixture
def logged(app, world):
    """Two shifts of team A in two areas, anonymous contacts with their rows, named contacts
    with a correction, and one contact of team B."""
    with app.app_context():
        team_a, team_b = db.session.get(Team, world.team_a), db.session.get(Team, world.team_b)
        molle, rosengard = db.session.get(Area, world.area), db.session.get(Area, world.other_area)
        worker = db.session.get(User, world.worker_a)
        s1 = make_past_shift(team_a, molle, [worker], local("2026-10-05 18:00"))
        s2 = make_past_shift(team_a, rosengard, [worker], local("2026-10-31 20:00"))
        sb = make_past_shift(
            team_b, molle, [db.session.get(User, world.worker_b)], local("2026-10-05 18:00")
        )
        place = molle.places[0]
        log_tally(
            s1,
            place,
            local("2026-10-05 19:00"),
            3,
            {Gender.GIRL: 1, Gender.BOY: 2, AgeBand.AGE_13_15: 3},
            [Topic.SCHOOL, Topic.DRUGS],
            [Action.CONVERSATION],
        )
        log_tally(s1, place, local("2026-10-05 20:00"), 2, {Gender.BOY: 1}, [Topic.DRUGS])
        log_tally(s2, rosengard.places[0], local("2026-10-31 23:30"), 5, {Gender.GIRL: 5})
        log_tally(sb, place, local("2026-10-05 19:30"), 7)
        y1, y2 = make_youth(worker, team_a, "Kille i keps"), make_youth(worker, team_a, "Tjejen")
        first = log_named(s1, [y1, y2], local("2026-10-05 21:00"))
        log_named(s1, [y1, y2], local("2026-10-05 21:00"), corrects=first)
        log_named(s2, [y2], local("2026-10-31 22:00"))
        db.session.commit()
        world.youths = (y1.id, y2.id)
        world.shifts = (s1.id, s2.id)
    return world


def _kept() -> dict:
    return {
        (row.team_id, row.day, row.area_id, row.measure): row.n
        for row in db.session.execute(select(ContactTally)).scalars()
    }


def _weeks(world) -> list:
    team = db.session.get(Team, world.team_a)
    return stats.by_key(stats.compute([team], OCTOBER))["weeks"].total


def test_logging_counts_each_day_area_and_measure(app, logged):
    with app.app_context():
        assert tallies.mismatches() == []
        kept = _kept()
        day, molle = local("2026-10-05 19:00").date(), logged.area
        assert kept[(logged.team_a, day, molle, tallies.CONTACTS)] == 2
        assert kept[(logged.team_a, day, molle, tallies.YOUTHS)] == 5
        assert kept[(logged.team_a, day, molle, "count:" + str(Gender.BOY))] == 3
        assert kept[(logged.team_a, day, molle, "topic:" + Topic.DRUGS.value)] == 2
        assert kept[(logged.team_a, day, molle, tallies.NAMED)] == 1  # the correction is not
        assert kept[(logged.team_a, day, molle, tallies.MEETINGS)] == 2
        assert kept[(logged.team_b, day, molle, tallies.YOUTHS)] == 7
        # [anonymous contacts, youths met, named contacts, meetings with named youths]
        assert _weeks(logged)[1:] == [3, 10, 2, 3]


def test_contacts_of_one_day_in_one_flush_add_up(app, logged):
    """A flush of several contacts on one team's day (demo data, an import) adds each tally
    once, with their sum."""
    with app.app_context():
        shift = db.session.get(Shift, logged.shifts[0])
        for minute in range(3):
            db.session.add(
                AnonymousContact(
                    shift_id=shift.id,
                    place=shift.area.places[0],
                    occurred_at=local(f"2026-10-05 22:0{minute}"),
                    youth_count=2,
                    created_by_id=shift.workers[0].id,
                    topics=[ContactTopic(topic=Topic.SCHOOL)],
                )
            )
        db.session.flush()
        assert tallies.mismatches() == []
        db.session.commit()
        assert _weeks(logged)[1:3] == [6, 16]


def test_changing_and_deleting_contacts_and_their_rows(app, logged):
    with app.app_context():
        contact = db.session.execute(
            select(AnonymousContact).where(AnonymousContact.youth_count == 3)
        ).scalar_one()
        contact.occurred_at += timedelta(days=2)  # to another day
        contact.youth_count = 4
        db.session.flush()
        assert tallies.mismatches() == []
        db.session.execute(
            delete(ContactTopic).where(ContactTopic.contact_id == contact.id)
        )  # a statement: the ORM does not see it, a recount does
        tallies.recount({(contact.team_id, contact.occurred_on)})
        db.session.expire(contact, ["topics"])
        assert tallies.mismatches() == []
        contact.counts.append(ContactCount(category=str(AgeBand.AGE_16_17), count=1))
        db.session.flush()
        assert tallies.mismatches() == []
        db.session.delete(contact)
        db.session.flush()
        assert tallies.mismatches() == []
        db.session.commit()
        assert _weeks(logged)[1:] == [2, 7, 2, 3]


def test_a_merge_recounts_the_meetings(app, logged):
    with app.app_context():
        kept, duplicate = (db.session.get(Youth, id_) for id_ in logged.youths)
        merge.merge(db.session.get(User, logged.lead_a), kept, duplicate)
        assert tallies.mismatches() == []
        db.session.commit()
        assert _weeks(logged)[1:] == [3, 10, 2, 2]  # the contact naming both names one


def test_an_erasure_recounts_and_a_dry_run_leaves_the_tallies(app, logged):
    with app.app_context():
        before = _kept()
        savepoint = db.session.begin_nested()
        erasure.erase([logged.youths[1]])
        assert _kept() != before and tallies.mismatches() == []
        savepoint.rollback()
        assert _kept() == before
        erasure.erase([logged.youths[1]])
        db.session.commit()
        assert tallies.mismatches() == []
        assert _weeks(logged)[1:] == [3, 10, 1, 1]


def test_writers_on_one_teams_day_at_once(app, logged):
    """Threads, each in its own connection, log contacts on one team's day while others change
    a contact of that day (a recount): none waits forever, none fails, nothing is lost."""
    failures = []

    def logger():
        with app.app_context():
            shift = db.session.get(Shift, logged.shifts[0])
            try:
                for _ in range(5):
                    log_tally(shift, shift.area.places[0], local("2026-10-05 22:00"), 1)
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 (reported below)
                failures.append(error)
                db.session.rollback()

    def changer():
        with app.app_context():
            try:
                for number in range(5):
                    contact = db.session.execute(
                        select(AnonymousContact).where(
                            AnonymousContact.shift_id == logged.shifts[0],
                            AnonymousContact.occurred_at == local("2026-10-05 20:00"),
                        )
                    ).scalar_one()
                    contact.youth_count = 2 + number % 2
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 (reported below)
                failures.append(error)
                db.session.rollback()

    threads = [threading.Thread(target=work) for work in (logger, changer, logger, changer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with app.app_context():
        assert tallies.mismatches() == []
        assert _weeks(logged)[1:3] == [13, 20]


def test_a_rebuild_counts_what_went_round_the_orm(app, logged):
    with app.app_context():
        before = _kept()
        db.session.execute(delete(ContactTally))
        assert len(tallies.mismatches()) == len(before)
        assert tallies.rebuild() == len(before)
        assert _kept() == before
        assert tallies.rebuild(db.session.get(Team, logged.team_b).kommun_id)
        assert tallies.mismatches() == []


def test_the_operators_command_finds_and_mends_a_difference(app, logged, runner):
    with app.app_context():
        db.session.execute(delete(ContactTally).where(ContactTally.team_id == logged.team_b))
        db.session.commit()
    result = runner.invoke(args=["ops", "tallies"])
    assert result.exit_code == 1 and "2 tallies differ" in result.output, result.output
    assert (
        f"team {logged.team_b}, 2026-10-05, area {logged.area}, youths: 0 kept, 7" in result.output
    )
    result = runner.invoke(args=["ops", "tallies", "--recount"])
    assert result.exit_code == 0 and "the tallies agree" in result.output, result.output
