"""`flask kommun …`: the kommuner of the deployment, from the command line (the operator's, or
the follow-up to `flask db upgrade` of a database from before kommuner)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from outreach.admin import services
from outreach.auth.models import User
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Kommun, Team, kommun_member


@click.group("kommun")
def kommun_cli():
    """The kommuner of the deployment."""


@kommun_cli.command("list")
@with_appcontext
def list_command():
    """Every kommun with its code and how many teams and users it has (no names of anyone)."""
    teams = dict(
        db.session.execute(select(Team.kommun_id, func.count()).group_by(Team.kommun_id)).all()
    )
    users = dict(
        db.session.execute(
            select(kommun_member.c.kommun_id, func.count()).group_by(kommun_member.c.kommun_id)
        ).all()
    )
    for kommun in db.session.execute(select(Kommun).order_by(Kommun.code)).scalars():
        click.echo(
            f"{kommun.code}  {kommun.name}: {teams.get(kommun.id, 0)} teams, "
            f"{users.get(kommun.id, 0)} users"
        )


@kommun_cli.command("create")
@click.argument("name")
@click.argument("code")
@with_appcontext
def create_command(name: str, code: str):
    """Create a kommun (NAME, four-digit CODE) with the standard warning-sign catalogue."""
    try:
        kommun = services.create_kommun(name, code)
    except RuleViolation as refusal:
        raise click.ClickException(str(refusal.message)) from None
    db.session.commit()
    click.echo(f"Created {kommun.name} ({kommun.code}).")


@kommun_cli.command("name")
@click.option("--code", "old_code", default="0000", help="The kommun to name (by its code).")
@click.option("--name", prompt="The kommun's name (Malmö)", help="Its name.")
@click.option("--new-code", prompt="Its four-digit kommun code (1280)", help="Its SCB code.")
@with_appcontext
def name_command(old_code: str, name: str, new_code: str):
    """Name the kommun an upgrade put an older database's data into ("Kommunen", 0000)."""
    kommun = db.session.execute(select(Kommun).where(Kommun.code == old_code)).scalar()
    if kommun is None:
        raise click.ClickException(f"No kommun with the code {old_code!r}.")
    try:
        services.rename_kommun(kommun, name, new_code)
    except RuleViolation as refusal:
        raise click.ClickException(str(refusal.message)) from None
    db.session.commit()
    click.echo(f"The kommun is {kommun.name} ({kommun.code}).")


@kommun_cli.command("add-user")
@click.argument("username")
@click.argument("code")
@with_appcontext
def add_user_command(username: str, code: str):
    """Let a user work for one more kommun too (a team shared by agreement)."""
    user = db.session.execute(select(User).where(User.username == username)).scalar()
    kommun = db.session.execute(select(Kommun).where(Kommun.code == code)).scalar()
    if user is None or kommun is None:
        raise click.ClickException("No such user or kommun.")
    if kommun not in user.kommuner:
        user.kommuner.append(kommun)
    db.session.commit()
    click.echo(f"{user.username} works for {', '.join(k.name for k in user.kommuner)}.")
