"""`flask demo load`: a demo setting of two kommuner, Malmö and Botkyrka, for `make run` only
(never in production)."""

import json
import random
from datetime import UTC, datetime, time, timedelta
from functools import partial

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach import audit, personnummer
from outreach.admin import services as admin_services
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.auth.services import create_user
from outreach.clock import LOCAL_ZONE, months_after, now, today
from outreach.demo_data import (
    DEMO_YOUTHS,
    KOMMUNER,
    LOGINS,
    OLD_YOUTHS,
    SITUATIONS,
    UNIT_HOURS,
    USERS,
)
from outreach.extensions import db
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.org.models import Area, Place, Team
from outreach.privacy.models import AccessRequest, AccessReview, LegalHold
from outreach.review.models import ShiftReview
from outreach.risk import services as risk_services
from outreach.risk.models import RiskMarking
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
)
from outreach.vocabulary import (
    Action,
    AgeBand,
    Gender,
    HandoffBasis,
    HandoffStatus,
    LegalBasis,
    Requester,
    ReviewDecision,
    ReviewStatus,
    Topic,
    Urgency,
)
from outreach.youths.models import IdentifiedContact, Youth
from outreach.youths.services import search_key

DEMO_PASSWORD = "demo-outreach-2026"  # noqa: S105 (documented demo password, demo mode only)


@click.group("demo")
def demo_cli():
    """Demo data for trying Outreach out."""


@demo_cli.command("load")
@with_appcontext
def load():
    """Load the demo setting once (refused outside demo mode)."""
    if not current_app.config.get("DEMO_MODE"):
        raise click.ClickException(
            "Demo data is only loaded in demo mode (OUTREACH_DEMO=1), never in production."
        )
    if db.session.execute(select(Team.id).limit(1)).first() is not None:
        click.echo("Demo data is already loaded.")
    else:
        load_demo_data()
        load_demo_history()
        db.session.commit()
        click.echo("Demo data loaded.")
    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for username, what in LOGINS:
        click.echo(f"  {username:<13} {what}")


def load_demo_data() -> None:
    """The kommuner, their teams, units, areas and places, and the users of the demo."""
    teams = {}
    kommuner = {}
    for kommun_name, setting in KOMMUNER.items():
        kommun = admin_services.create_kommun(kommun_name, setting["code"])
        kommuner[kommun_name] = kommun
        for name, kind in setting["teams"]:
            team = admin_services.create_team(kommun.id, name, kind)
            hours = UNIT_HOURS.get((kommun_name, name), (None, None))
            team.first_contact_hours, team.urgent_first_contact_hours = hours
            teams[kommun_name, name] = team
        for area_name, places in setting["areas"].items():
            area = Area(kommun_id=kommun.id, name=area_name)
            db.session.add(area)
            for place_name, kind in places:
                db.session.add(Place(area=area, name=place_name, kind=kind))
    db.session.flush()
    for username, name, role, kommun_name, team_names in USERS:
        create_user(
            username=username,
            display_name=name,
            role=role,
            password=DEMO_PASSWORD,
            teams=[teams[kommun_name, t] for t in team_names],
            email=f"{username}@demo.invalid",
            kommun=kommuner.get(kommun_name),
        )


def load_demo_history(weeks: int = 10) -> None:
    """Eight to ten weeks of street work for the statistics and review pages to show.

    Written straight into the tables, since the services only take times around now.
    """
    rng = random.Random(2026)  # the same demo every time
    users = {u.username: u for u in db.session.execute(select(User)).scalars()}
    teams = {
        (t.kommun.name, t.name): t
        for t in db.session.execute(select(Team).join(Team.kommun)).scalars()
    }
    areas = {
        (a.kommun.name, a.name): a
        for a in db.session.execute(select(Area).join(Area.kommun)).scalars()
    }
    malmo = partial(_pick, teams, "Malmö")
    botkyrka = partial(_pick, teams, "Botkyrka")
    crews = [
        (malmo("Fältgruppen Söder"), [users["falt"], users["falt2"]], ["Möllevången", "Centrum"]),
        (malmo("Fältgruppen Söder"), [users["teamledare"], users["falt"]], ["Rosengård"]),
        (malmo("Fältgruppen Norr"), [users["falt3"]], ["Värnhem", "Hyllie"]),
        (
            botkyrka("Fältgruppen Alby–Fittja"),
            [users["bfalt"], users["bfalt2"]],
            ["Alby", "Fittja"],
        ),
        (botkyrka("Fältgruppen Alby–Fittja"), [users["bteamledare"], users["bfalt"]], ["Tumba"]),
    ]
    first_day = today() - timedelta(weeks=weeks)
    shifts = []
    for offset in range(weeks * 7):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in (1, 4, 5) or day >= today():
            continue
        for team, crew, area_names in crews:
            area = areas[team.kommun.name, rng.choice(area_names)]
            start = datetime.combine(day, time(18, 0), LOCAL_ZONE)
            shift = Shift(
                team=team,
                area=area,
                started_at=start,
                ended_at=start + timedelta(hours=5, minutes=30),
                situation_note=rng.choice(SITUATIONS),
                created_by_id=crew[0].id,
                workers=list(crew),
                review_status=ReviewStatus.REVIEWED
                if day < today() - timedelta(days=14)
                else ReviewStatus.PENDING,
            )
            db.session.add(shift)
            shifts.append(shift)
            for _n in range(rng.randint(3, 8)):
                db.session.add(_demo_contact(rng, shift, crew, area, start))
    db.session.flush()
    _demo_youths(
        rng, users["falt"], malmo("Fältgruppen Söder"), shifts, malmo("Våldspreventivt centrum")
    )
    _demo_record_keeping(users, malmo("Fältgruppen Söder"))
    returned = next(s for s in reversed(shifts) if users["falt"] in s.workers)
    returned.review_status = ReviewStatus.RETURNED
    db.session.add(
        ShiftReview(
            shift_id=returned.id,
            decision=ReviewDecision.RETURNED,
            comment="Lägesbilden saknas för Rosengård. Kan ni komplettera?",
            user_id=users["teamledare"].id,
        )
    )


def _pick(teams: dict, kommun: str, name: str) -> Team:
    return teams[kommun, name]


def _demo_contact(rng, shift, crew, area, start) -> AnonymousContact:
    youth_count = rng.choices([1, 2, 3, 4, 5, 6, 8], weights=[3, 4, 4, 3, 2, 1, 1])[0]
    girls = rng.randint(0, youth_count)
    boys = rng.randint(0, youth_count - girls)
    band = rng.choice(list(AgeBand)[:4])
    counts = {Gender.GIRL: girls, Gender.BOY: boys, band: rng.randint(1, youth_count)}
    return AnonymousContact(
        shift=shift,
        place=rng.choice(area.places),
        occurred_at=start + timedelta(minutes=rng.randint(10, 325)),
        youth_count=youth_count,
        created_by_id=rng.choice(crew).id,
        counts=[ContactCount(category=str(c), count=n) for c, n in counts.items() if n],
        topics=[ContactTopic(topic=t) for t in rng.sample(list(Topic), rng.randint(1, 3))],
        actions=[ContactAction(action=a) for a in rng.sample(list(Action), rng.randint(1, 2))],
    )


def _demo_youths(rng, worker: User, team: Team, shifts: list[Shift], vpc: Team) -> None:
    """A few named youths in the team, met in its shifts, some marked and handed over to the
    kommun's VPC."""
    own = [s for s in shifts if s.team_id == team.id]
    vpc_lead = db.session.execute(select(User).where(User.username == "vpcledare")).scalar_one()
    for number, (alias, born, gender, level) in enumerate(DEMO_YOUTHS):
        youth = Youth(
            team_id=team.id,
            alias=alias,
            birth_year=born,
            gender=gender,
            legal_basis=LegalBasis.CONSENT,
            created_by_id=worker.id,
        )
        youth.search_key = search_key(youth)
        db.session.add(youth)
        met_in = rng.sample(own, 3)
        for shift in met_in:
            db.session.add(
                IdentifiedContact(
                    shift_id=shift.id,
                    occurred_at=shift.started_at + timedelta(minutes=rng.randint(30, 300)),
                    facts="Pratade om skolan och vad som händer i området.",
                    author_id=worker.id,
                    youths=[youth],
                )
            )
        if level is not None:
            db.session.add(
                RiskMarking(
                    youth=youth,
                    level=level,
                    review_on=today() + timedelta(days=60),
                    author_id=worker.id,
                )
            )
        if number < 2:
            _demo_handoff(youth, worker, vpc_lead, met_in[-1], vpc, fast=number == 0)
    db.session.flush()
    risk_services.keep_review_due()


def _demo_handoff(youth, worker, vpc_lead, shift, vpc: Team, fast: bool) -> None:
    sent = shift.started_at + timedelta(hours=6)
    due = sent + timedelta(hours=24)
    contact = sent + (timedelta(hours=5) if fast else timedelta(hours=30))
    handoff = Handoff(
        youth=youth,
        from_team_id=youth.team_id,
        to_unit_id=vpc.id,
        sender_id=worker.id,
        reason="Tecken på rekrytering: äldre kompisar, nya dyra kläder.",
        summary="Ungdomen vill ha stöd; träffas helst efter skolan.",
        urgency=Urgency.NORMAL,
        basis=HandoffBasis.OSL_10_18B,
        secrecy_assessed_by="Tomas Teamledare",
        shared_data=json.dumps({"alias": youth.alias}, ensure_ascii=False),
        status=HandoffStatus.ACCEPTED,
        sent_at=sent,
        first_contact_due_at=due,
        first_contact_at=contact,
        breached_at=None if fast else due,
        first_contact_how="Telefon",
    )
    db.session.add(handoff)
    steps = [
        (HandoffStatus.SENT, sent, worker),
        (HandoffStatus.ACKNOWLEDGED, sent + timedelta(hours=1 if fast else 9), vpc_lead),
        (HandoffStatus.FIRST_CONTACT, contact, vpc_lead),
        (HandoffStatus.ACCEPTED, contact + timedelta(days=1), vpc_lead),
    ]
    for status, at, user in steps:
        handoff.events.append(HandoffEvent(status=status, at=at, user_id=user.id))


def _demo_record_keeping(users: dict, team: Team) -> None:
    """What the team lead's data-protection pages show: records due for gallring (one held),
    a register extract nearly due, reads at night to ask about, and last month's review."""
    lead, worker = users["teamledare"], users["falt"]
    registered = now() - timedelta(days=6 * 365 + 40)
    for alias, born, serial in OLD_YOUTHS:
        youth = Youth(
            team_id=team.id,
            alias=alias,
            birth_year=born.year,
            personnummer=personnummer.for_birth_date(born, serial),
            legal_basis=LegalBasis.CONSENT,
            created_by_id=worker.id,
            created_at=registered,
        )
        youth.search_key = search_key(youth)
        db.session.add(youth)
    db.session.flush()
    held = db.session.execute(select(Youth).where(Youth.alias == OLD_YOUTHS[2][0])).scalar_one()
    db.session.add(
        LegalHold(
            youth_id=held.id,
            reason="Uppgifterna är begärda i en pågående utredning.",
            set_by_id=lead.id,
        )
    )
    asked = db.session.execute(select(Youth).where(Youth.alias == DEMO_YOUTHS[1][0])).scalar_one()
    received = today() - timedelta(days=26)
    db.session.add(
        AccessRequest(
            youth_id=asked.id,
            requested_by=Requester.GUARDIAN,
            received_on=received,
            due_on=months_after(received, 1),
            registered_by_id=lead.id,
        )
    )
    night = datetime.combine(today() - timedelta(days=3), time(23, 40), LOCAL_ZONE)
    for youth in db.session.execute(select(Youth).where(Youth.team_id == team.id)).scalars():
        read = audit.record(
            AuditAction.READ,
            "youth",
            youth.id,
            user_id=users["falt2"].id,
            kommun_id=youth.kommun_id,
            youth_id=youth.id,
            detail="page",
        )
        read.occurred_at = night.astimezone(UTC)
        night += timedelta(minutes=2)
    first_of_month = today().replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    db.session.add(
        AccessReview(
            team_id=team.id,
            period_from=last_month_end.replace(day=1),
            period_to=last_month_end,
            accesses=214,
            flagged=3,
            findings="Tre läsningar sent på kvällen, alla under pågående fältpass. Inget att "
            "anmärka.",
            follow_up="",
            reviewed_by_id=lead.id,
            reviewed_at=datetime.combine(first_of_month, time(10, 0), LOCAL_ZONE),
        )
    )
