"""`flask users …`: create users from the command line (the first admin, for one)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.auth.models import Role
from outreach.auth.services import create_user
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Team


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
    help="field_worker, team_lead, caseworker or admin.",
)
@click.option("--team", "team_names", multiple=True, help="Team name; repeat for several.")
@click.option("--email", default=None)
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
def create(username, display_name, role, team_names, email, password):
    """Create a user (refuses passwords shorter than 12 characters)."""
    teams = []
    for name in team_names:
        team = db.session.execute(select(Team).where(Team.name == name)).scalar_one_or_none()
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
        )
    except RuleViolation as refusal:
        raise click.ClickException(str(refusal.message)) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role.value}).")
