"""`flask demo load`: a Malmö-like demo setting, for `make run` only (never in production)."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.auth.models import Role
from outreach.auth.services import create_user
from outreach.extensions import db
from outreach.org.models import Area, Place, PlaceKind, Team, TeamKind

DEMO_PASSWORD = "demo-outreach-2026"  # noqa: S105 (documented demo password, demo mode only)

TEAMS = [
    ("Fältgruppen Norr", TeamKind.FIELD),
    ("Fältgruppen Söder", TeamKind.FIELD),
    ("Fältgruppen Öster", TeamKind.FIELD),
    ("Våldspreventivt centrum", TeamKind.VPC),
]

AREAS = {
    "Centrum": [
        ("Gustav Adolfs torg", PlaceKind.SQUARE),
        ("Malmö C", PlaceKind.STATION),
        ("Triangeln köpcentrum", PlaceKind.MALL),
        ("Pildammsparken", PlaceKind.PARK),
    ],
    "Rosengård": [
        ("Rosengårds centrum", PlaceKind.MALL),
        ("Rosengårdsskolan", PlaceKind.SCHOOL),
        ("Fritidsgården Rosengård", PlaceKind.YOUTH_CENTRE),
        ("Station Rosengård", PlaceKind.STATION),
    ],
    "Möllevången": [
        ("Möllevångstorget", PlaceKind.SQUARE),
        ("Folkets park", PlaceKind.PARK),
        ("Fritidsgården Möllan", PlaceKind.YOUTH_CENTRE),
    ],
    "Värnhem": [
        ("Värnhemstorget", PlaceKind.SQUARE),
        ("S:t Petri skola", PlaceKind.SCHOOL),
    ],
    "Hyllie": [
        ("Emporia", PlaceKind.MALL),
        ("Hyllie station", PlaceKind.STATION),
        ("Hyllievångsparken", PlaceKind.PARK),
    ],
}

#: (username, name, role, teams)
USERS = [
    ("falt", "Fatima Fältarbetare", Role.FIELD_WORKER, ["Fältgruppen Söder"]),
    ("falt2", "Johan Lindqvist", Role.FIELD_WORKER, ["Fältgruppen Söder"]),
    ("falt3", "Sara Öberg", Role.FIELD_WORKER, ["Fältgruppen Norr"]),
    ("teamledare", "Tomas Teamledare", Role.TEAM_LEAD, ["Fältgruppen Söder"]),
    ("handlaggare", "Hanna Handläggare", Role.CASEWORKER, ["Våldspreventivt centrum"]),
    ("vpcledare", "Viktor VPC-ledare", Role.TEAM_LEAD, ["Våldspreventivt centrum"]),
    ("admin", "Anders Systemförvaltare", Role.ADMIN, []),
]

#: One demo user per role, printed by `make run`.
LOGINS = [
    ("falt", "Fältarbetare (Fältgruppen Söder)"),
    ("teamledare", "Teamledare (Fältgruppen Söder)"),
    ("handlaggare", "VPC-handläggare"),
    ("vpcledare", "Teamledare, Våldspreventivt centrum"),
    ("admin", "Systemförvaltare"),
]


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
        db.session.commit()
        click.echo("Demo data loaded.")
    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for username, what in LOGINS:
        click.echo(f"  {username:<12} {what}")


def load_demo_data() -> None:
    """Teams, areas, places and users of the demo setting."""
    teams = {name: Team(name=name, kind=kind) for name, kind in TEAMS}
    db.session.add_all(teams.values())
    for area_name, places in AREAS.items():
        area = Area(name=area_name)
        db.session.add(area)
        for place_name, kind in places:
            db.session.add(Place(area=area, name=place_name, kind=kind))
    db.session.flush()
    for username, name, role, team_names in USERS:
        create_user(
            username=username,
            display_name=name,
            role=role,
            password=DEMO_PASSWORD,
            teams=[teams[t] for t in team_names],
            email=f"{username}@demo.invalid",
        )
