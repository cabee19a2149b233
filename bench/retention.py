"""Gallring on a data set with years of activity, holds, archive birthdays and edge dates: the
dry-run report as `flask privacy retention --dry-run` prints it, and how long finding what is
due, the dry run and the run itself take.

    .venv/bin/python bench/retention.py                          # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/outreach_bench \\
        .venv/bin/python bench/retention.py                      # a throwaway PostgreSQL database
    YOUTHS=20000 .venv/bin/python bench/retention.py             # another size

The data (seeded, the same every run): YOUTHS youths in 4 teams registered over 9 years, each
with contacts and risk markings over their active years; among the ones due, some have an open
handoff, a legal hold or a register extract being answered; a share is born on the 5th, 15th or
25th; some have their last activity on 31 December at 23:30 Stockholm time or on 29 February.
Figures, not pass/fail.
"""

import os
import random
import sys
import time as timer
from datetime import date, datetime, time, timedelta
from pathlib import Path
from tempfile import mkdtemp

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_app  # noqa: E402
from outreach.auth.models import Role, User  # noqa: E402
from outreach.clock import from_local  # noqa: E402
from outreach.extensions import db  # noqa: E402
from outreach.handoffs.models import Handoff  # noqa: E402
from outreach.org.models import Area, Place, PlaceKind, Team  # noqa: E402
from outreach.personnummer import for_birth_date  # noqa: E402
from outreach.privacy import retention  # noqa: E402
from outreach.privacy.cli import report_lines  # noqa: E402
from outreach.privacy.models import AccessRequest, LegalHold  # noqa: E402
from outreach.risk.models import RiskMarking  # noqa: E402
from outreach.shifts.models import AnonymousContact, Shift  # noqa: E402
from outreach.vocabulary import (  # noqa: E402
    HandoffBasis,
    HandoffStatus,
    LegalBasis,
    Requester,
    RiskLevel,
    Urgency,
)
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth  # noqa: E402

YOUTHS = int(os.environ.get("YOUTHS", "5000"))
#: The staff of the data set never log in.
NO_LOGIN = "!"
AS_OF = date(2026, 12, 1)


def _utc(day: date, hour: int = 19, minute: int = 0) -> datetime:
    """A Stockholm wall-clock time on the day, as aware UTC."""
    return from_local(datetime.combine(day, time(hour, minute)))


def seed(rng: random.Random) -> None:
    """The data set described above, written with bulk inserts."""
    teams = [
        Team(name=f"Fältgruppen {n}", kind="field") for n in ("Norr", "Söder", "Öster", "Väster")
    ]
    area = Area(name="Centrum")
    db.session.add_all([*teams, area])
    db.session.flush()
    workers = []
    for number, team in enumerate(teams):
        worker = User(
            username=f"falt{number}",
            display_name=f"Fältarbetare {number}",
            role=Role.FIELD_WORKER,
            password_hash=NO_LOGIN,
            teams=[team],
        )
        lead = User(
            username=f"lead{number}",
            display_name=f"Teamledare {number}",
            role=Role.TEAM_LEAD,
            password_hash=NO_LOGIN,
            teams=[team],
        )
        db.session.add_all([worker, lead])
        workers.append((worker, lead))
    db.session.flush()
    shifts = {}
    youth_rows, plans = [], []
    first = date(2017, 1, 1)
    for number in range(YOUTHS):
        team_index = number % len(teams)
        registered = first + timedelta(days=rng.randrange(0, (AS_OF - first).days - 30))
        active_days = rng.choice([0, 30, 200, 700, 1500])
        last = min(registered + timedelta(days=active_days), AS_OF - timedelta(days=1))
        if number % 97 == 0:
            last = date(rng.choice([2019, 2020, 2021]), 12, 31)  # the last day of a year
            registered = min(registered, last)
        if number % 101 == 0:
            last = date(2020, 2, 29)
            registered = min(registered, last)
        born = date(2000 + rng.randrange(0, 12), rng.randrange(1, 13), rng.randrange(1, 29))
        youth_rows.append(
            {
                "public_id": f"b{number:015d}",
                "team_id": teams[team_index].id,
                "alias": f"Ungdom {number}",
                "name": "",
                "birth_year": born.year,
                "personnummer": for_birth_date(born, 100 + number % 800),
                "legal_basis": LegalBasis.CONSENT,
                "search_key": f"ungdom {number}",
                "created_by_id": workers[team_index][0].id,
                "created_at": _utc(registered),
                "protected_identity": False,
                "school": "",
                "interpreter_language": "",
            }
        )
        plans.append((team_index, registered, last))
    db.session.execute(insert(Youth), youth_rows)  # the ORM encrypts and hashes per row
    ids = list(db.session.execute(select(Youth.id).order_by(Youth.id)).scalars())
    contacts, links, markings = [], [], []
    for youth_id, (team_index, registered, last) in zip(ids, plans, strict=True):
        team, (worker, _lead) = teams[team_index], workers[team_index]
        days = sorted(
            {
                registered,
                last,
                *(
                    registered + timedelta(days=rng.randrange(0, max(1, (last - registered).days)))
                    for _ in range(3)
                ),
            }
        )
        for day in days:
            if (team.id, day) not in shifts:
                shift = Shift(
                    team_id=team.id,
                    area_id=area.id,
                    started_at=_utc(day, 18),
                    ended_at=_utc(day, 23),
                    created_by_id=worker.id,
                    workers=[worker],
                )
                db.session.add(shift)
                shifts[(team.id, day)] = shift
        db.session.flush()
        for day in days:
            at = _utc(day, 23, 30) if day.month == 12 and day.day == 31 else _utc(day, 19)
            contacts.append(
                {
                    "public_id": f"c{len(contacts):015d}",
                    "shift_id": shifts[(team.id, day)].id,
                    "team_id": team.id,
                    "occurred_at": at,
                    "occurred_on": day,
                    "facts": "Pratade en stund.",
                    "assessment": "",
                    "author_id": worker.id,
                    "created_at": at,
                }
            )
            links.append(youth_id)
        markings.append(
            {
                "public_id": f"m{len(markings):015d}",
                "youth_id": youth_id,
                "level": RiskLevel.LOW,
                "comment": "",
                "review_on": registered + timedelta(days=90),
                "author_id": worker.id,
                "created_at": _utc(registered, 20),
            }
        )
    db.session.execute(insert(IdentifiedContact), contacts)
    contact_ids = list(
        db.session.execute(select(IdentifiedContact.id).order_by(IdentifiedContact.id)).scalars()
    )
    db.session.execute(
        insert(identified_contact_youth),
        [{"contact_id": c, "youth_id": y} for c, y in zip(contact_ids, links, strict=True)],
    )
    db.session.execute(insert(RiskMarking), markings)
    place = Place(area_id=area.id, name="Torget", kind=PlaceKind.SQUARE)
    db.session.add(place)
    db.session.flush()
    db.session.execute(
        insert(AnonymousContact),
        [
            {
                "public_id": f"a{number:015d}",
                "shift_id": shift.id,
                "team_id": shift.team_id,
                "place_id": place.id,
                "occurred_at": shift.started_at,
                "occurred_on": day,
                "youth_count": 3,
                "note": "Lugnt vid torget." if number % 2 else "",
                "created_by_id": workers[0][0].id,
                "created_at": shift.started_at,
            }
            for number, ((_team_id, day), shift) in enumerate(shifts.items())
        ],
    )
    _holds(rng, teams, workers)
    db.session.commit()


def _holds(rng: random.Random, teams, workers) -> None:
    """Open handoffs, legal holds and register extracts on some of the youths that are due."""
    due = retention.due(AS_OF)
    for number, item in enumerate(due[: len(due) // 10]):
        worker, lead = workers[[t.id for t in teams].index(item.team_id)]
        kind = number % 3
        if kind == 0:
            db.session.add(
                Handoff(
                    youth_id=item.youth_id,
                    from_team_id=item.team_id,
                    sender_id=worker.id,
                    reason="R",
                    summary="S",
                    urgency=Urgency.NORMAL,
                    basis=HandoffBasis.OSL_10_2,
                    shared_data="{}",
                    status=HandoffStatus.ACCEPTED,
                    sent_at=_utc(item.last_activity),
                    first_contact_due_at=_utc(item.last_activity + timedelta(days=1)),
                )
            )
        elif kind == 1:
            db.session.add(
                LegalHold(youth_id=item.youth_id, reason="Utredning.", set_by_id=lead.id)
            )
        else:
            db.session.add(
                AccessRequest(
                    youth_id=item.youth_id,
                    requested_by=Requester.YOUTH,
                    received_on=AS_OF - timedelta(days=10),
                    due_on=AS_OF + timedelta(days=20),
                    registered_by_id=lead.id,
                )
            )


def _timed(label: str, act):
    started = timer.perf_counter()
    result = act()
    print(f"{label}: {timer.perf_counter() - started:.2f} s")
    return result


def main() -> None:
    app = fresh_app()
    app.config["ARCHIVE_DIR"] = mkdtemp(prefix="outreach-archive-")
    with app.app_context():
        print(f"database: {db.engine.dialect.name}; youths: {YOUTHS}; as of {AS_OF}")
        _timed("seed", lambda: seed(random.Random(2026)))
        counts = {
            "contacts": db.session.scalar(select(func.count(IdentifiedContact.id))),
            "markings": db.session.scalar(select(func.count(RiskMarking.id))),
        }
        print(f"contacts: {counts['contacts']}, risk markings: {counts['markings']}")
        due = _timed("finding what is due", lambda: retention.due(AS_OF))
        print(f"due: {len(due)}")
        report = _timed("dry run", lambda: retention.dry_run(AS_OF))
        print()
        for line in report_lines(report):
            print(line)
        print()
        applied = _timed("run (archive, delete, commit)", lambda: _apply())
        print(
            f"deleted {applied.to_delete}, archived {applied.to_archive} to {applied.archive_path}"
        )
        left = _timed("finding what is due after the run", lambda: retention.due(AS_OF))
        print(f"due after the run: {len(left)} (all held: {all(item.holds for item in left)})")


def _apply():
    report = retention.apply(AS_OF)
    db.session.commit()
    return report


if __name__ == "__main__":
    main()
