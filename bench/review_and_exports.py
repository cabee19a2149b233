"""A year of a large municipality's street work, then the team lead's heavy pages timed.

    .venv/bin/python bench/review_and_exports.py                 # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/outreach_bench \\
        .venv/bin/python bench/review_and_exports.py             # a throwaway PostgreSQL database

Prints how long the review list takes on its first page and on its last, the statistics for the
year, and the CSV and XLSX exports of the whole year: seconds, rows, bytes and the process's
peak memory. Figures, not pass/fail: the tests hold the behaviour.
"""

import random
import resource
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_app  # noqa: E402
from outreach.auth.models import Role, User  # noqa: E402
from outreach.auth.services import hash_password  # noqa: E402
from outreach.clock import local_date  # noqa: E402
from outreach.extensions import db  # noqa: E402
from outreach.ids import new_public_id  # noqa: E402
from outreach.org.models import Area, Place, PlaceKind, Team, TeamKind  # noqa: E402
from outreach.shifts.models import (  # noqa: E402
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
    shift_worker,
)
from outreach.vocabulary import Action, AgeBand, Gender, LegalBasis, ReviewStatus, Topic  # noqa: E402
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth  # noqa: E402

TEAMS, WORKERS_PER_TEAM = 4, 14  # about 60 staff, like Malmö
SHIFTS_PER_TEAM_AND_DAY = 1
CONTACTS_PER_SHIFT = 55  # about 80,000 anonymous contacts in the year
NAMED_PER_SHIFT = 5
PASSWORD = "bench-password-2026"  # noqa: S105 (a throwaway benchmark database)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(rng: random.Random, year: int) -> dict:
    """Teams, areas, staff and a year of shifts and contacts, written with bulk inserts."""
    password = hash_password(PASSWORD)
    areas = []
    for number in range(8):
        area = Area(name=f"Område {number + 1}")
        area.places = [
            Place(name=f"Plats {number + 1}.{p + 1}", kind=PlaceKind.SQUARE) for p in range(6)
        ]
        areas.append(area)
    teams = [Team(name=f"Fältgruppen {n + 1}", kind=TeamKind.FIELD) for n in range(TEAMS)]
    db.session.add_all([*areas, *teams])
    db.session.flush()
    crews = {}
    for team in teams:
        crews[team.id] = [
            User(
                username=f"falt{team.id}_{n}",
                display_name=f"Fältarbetare {team.id}.{n}",
                role=Role.FIELD_WORKER,
                password_hash=password,
                teams=[team],
            )
            for n in range(WORKERS_PER_TEAM)
        ]
        db.session.add_all(crews[team.id])
    lead = User(
        username="lead",
        display_name="Teamledare",
        role=Role.TEAM_LEAD,
        password_hash=password,
        teams=list(teams),
    )
    db.session.add(lead)
    db.session.flush()
    youths = {team.id: [] for team in teams}
    for team in teams:
        for n in range(400):
            youth = Youth(
                team_id=team.id,
                alias=f"Ungdom {team.id}.{n}",
                legal_basis=LegalBasis.CONSENT,
                search_key=f"ungdom {team.id}.{n}",
                created_by_id=crews[team.id][0].id,
            )
            youths[team.id].append(youth)
            db.session.add(youth)
    db.session.flush()
    db.session.commit()

    contact_id = named_id = 0
    day = date(year, 1, 1)
    while day.year == year:
        shifts, workers, contacts, counts, topics, actions = [], [], [], [], [], []
        named, named_youths = [], []
        for team in teams:
            for _n in range(SHIFTS_PER_TEAM_AND_DAY):
                start = datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)
                shifts.append(
                    {
                        "public_id": new_public_id(),
                        "team_id": team.id,
                        "area_id": rng.choice(areas).id,
                        "started_at": start,
                        "ended_at": start + timedelta(hours=6),
                        "situation_note": "",
                        "created_by_id": crews[team.id][0].id,
                        "created_at": start,
                        "review_status": ReviewStatus.REVIEWED,
                    }
                )
        db.session.execute(insert(Shift), shifts)
        found = db.session.execute(
            select(Shift.id, Shift.team_id, Shift.area_id, Shift.started_at).where(
                Shift.public_id.in_([s["public_id"] for s in shifts])
            )
        ).all()
        for shift_id, team_id, area_id, started in found:
            crew = rng.sample(crews[team_id], 2)
            workers += [{"shift_id": shift_id, "user_id": w.id} for w in crew]
            places = next(a for a in areas if a.id == area_id).places
            for _n in range(CONTACTS_PER_SHIFT):
                contact_id += 1
                at = started + timedelta(minutes=rng.randint(0, 359))
                youth_count = rng.randint(1, 6)
                contacts.append(
                    {
                        "id": contact_id,
                        "public_id": new_public_id(),
                        "shift_id": shift_id,
                        "place_id": rng.choice(places).id,
                        "occurred_at": at,
                        "occurred_on": local_date(at),
                        "youth_count": youth_count,
                        "note": "",
                        "created_by_id": crew[0].id,
                        "created_at": at,
                    }
                )
                counts.append(
                    {
                        "contact_id": contact_id,
                        "category": str(rng.choice(list(Gender))),
                        "count": 1,
                    }
                )
                counts.append(
                    {
                        "contact_id": contact_id,
                        "category": str(rng.choice(list(AgeBand))),
                        "count": 1,
                    }
                )
                topics += [
                    {"contact_id": contact_id, "topic": t} for t in rng.sample(list(Topic), 2)
                ]
                actions.append({"contact_id": contact_id, "action": rng.choice(list(Action))})
            for _n in range(NAMED_PER_SHIFT):
                named_id += 1
                at = started + timedelta(minutes=rng.randint(0, 359))
                named.append(
                    {
                        "id": named_id,
                        "public_id": new_public_id(),
                        "shift_id": shift_id,
                        "occurred_at": at,
                        "occurred_on": local_date(at),
                        "place_id": None,
                        "facts": "Pratade en stund.",
                        "assessment": "",
                        "corrects_id": None,
                        "author_id": crew[0].id,
                        "created_at": at,
                    }
                )
                named_youths.append(
                    {"contact_id": named_id, "youth_id": rng.choice(youths[team_id]).id}
                )
        db.session.execute(insert(shift_worker), workers)
        db.session.execute(insert(AnonymousContact), contacts)
        db.session.execute(insert(ContactCount), counts)
        db.session.execute(insert(ContactTopic), topics)
        db.session.execute(insert(ContactAction), actions)
        db.session.execute(insert(IdentifiedContact), named)
        db.session.execute(insert(identified_contact_youth), named_youths)
        db.session.commit()
        day += timedelta(days=1)
    if db.engine.dialect.name == "postgresql":
        for table in ("anonymous_contact", "identified_contact", "shift"):
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.execute(text("SELECT setval('anonymous_contact_id_seq', :n)"), {"n": contact_id})
        db.session.execute(text("SELECT setval('identified_contact_id_seq', :n)"), {"n": named_id})
        db.session.commit()
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"anonymous": contact_id, "named": named_id}


def timed(client, address: str) -> tuple[float, int, object]:
    started = time.perf_counter()
    response = client.get(address)
    size = sum(len(piece) for piece in response.response)  # streams are read to the end
    if response.status_code != 200:
        raise SystemExit(f"{address} answered {response.status_code}")
    return time.perf_counter() - started, size, response


def main() -> None:
    app = fresh_app()
    year = 2025
    with app.app_context():
        started = time.perf_counter()
        made = generate(random.Random(4), year)
        print(
            f"database: {db.engine.dialect.name}; generated {made['anonymous']:,} anonymous and "
            f"{made['named']:,} named contacts in {time.perf_counter() - started:.0f} s"
        )
    client = app.test_client()
    client.post("/logga-in", data={"username": "lead", "password": PASSWORD})
    whole_year = f"date_from={year}-01-01&date_to={year}-12-31"

    timed(client, f"/granskning?{whole_year}")  # warm up: templates, catalogue, caches
    seconds, size, first = timed(client, f"/granskning?{whole_year}")
    print(f"review list, page 1:        {seconds * 1000:7.0f} ms  ({size:,} bytes)")
    with app.app_context():
        oldest = db.session.execute(
            select(AnonymousContact.occurred_at, AnonymousContact.public_id)
            .order_by(AnonymousContact.occurred_at, AnonymousContact.public_id)
            .offset(60)
            .limit(1)
        ).one()
    from outreach.paging import Cursor

    cursor = Cursor(oldest[0], 0, oldest[1]).encode()
    pages_deep = (made["anonymous"] + made["named"]) // 50
    seconds, size, _ = timed(client, f"/granskning?{whole_year}&after={cursor}")
    print(f"review list, page ~{pages_deep:,}: {seconds * 1000:7.0f} ms  ({size:,} bytes)")
    seconds, size, _ = timed(client, f"/granskning?{whole_year}&show=shifts&after=")
    print(f"shift list, page 1:         {seconds * 1000:7.0f} ms")
    seconds, size, _ = timed(client, f"/statistik?team=all&period=year&day={year}-06-01")
    print(f"statistics for the year:    {seconds * 1000:7.0f} ms")

    before = peak_mb()
    seconds, size, response = timed(client, f"/granskning/export.csv?{whole_year}")
    rows = made["anonymous"] + made["named"]
    print(
        f"CSV export of the year:     {seconds:7.1f} s   {rows:,} rows, {size / 1e6:.1f} MB, "
        f"status {response.status_code}, peak memory {before:.0f} → {peak_mb():.0f} MB"
    )
    before = peak_mb()
    seconds, size, response = timed(client, f"/granskning/export.xlsx?{whole_year}")
    print(
        f"XLSX export of the year:    {seconds:7.1f} s   {rows:,} rows, {size / 1e6:.1f} MB, "
        f"status {response.status_code}, peak memory {before:.0f} → {peak_mb():.0f} MB"
    )
    seconds, size, response = timed(
        client, f"/statistik/export.xlsx?team=all&period=year&day={year}-06-01"
    )
    print(f"statistics XLSX export:     {seconds * 1000:7.0f} ms  ({size:,} bytes)")


if __name__ == "__main__":
    main()
