"""`flask users …`: create users from the command line (the first admin, for one)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.auth.models import Role
from outreach.auth.services import create_user
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Kommun, Team


@click.group("users")
def users_cli():
    """Manage users."""


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Full name shown in the UI.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    required=True,
    help="field_worker, team_lead, caseworker, admin or operator.",
)
@click.option("--kommun", "code", help="The kommun's code (1280); not for the operator.")
@click.option("--team", "team_names", multiple=True, help="Team name; repeat for several.")
@click.option("--email", default=None)
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
def create(username, display_name, role, code, team_names, email, password):
    """Create a user of a kommun (refuses passwords shorter than 12 characters); the operator
    works for no kommun."""
    kommun = None
    if (role == Role.OPERATOR) != (code is None):
        raise click.UsageError("--kommun is given for everyone but the operator")
    if code is not None:
        kommun = db.session.execute(select(Kommun).where(Kommun.code == code)).scalar()
        if kommun is None:
            raise click.ClickException(f"No kommun with the code {code!r}.")
    teams = []
    for name in team_names:
        team = db.session.execute(
            select(Team).where(Team.kommun_id == (kommun.id if kommun else None), Team.name == name)
        ).scalar_one_or_none()
        if team is None:
            raise click.ClickException(f"No team named {name!r}.")
        teams.append(team)
    try:
        user = create_user(
            username=username,
            display_name=display_name,
            role=Role(role),
            password=password,
            teams=teams,
            email=email,
            kommun=kommun,
        )
    except RuleViolation as refusal:
        raise click.ClickException(str(refusal.message)) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role.value}).")
