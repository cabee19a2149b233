"""`flask ops check`: validate a production configuration before the service starts;
`flask ops tallies`: the statistics' daily tallies against the contacts."""

import click
from flask import current_app
from flask.cli import with_appcontext

from outreach.extensions import db
from outreach.health import checks
from outreach.youths import tallies


@click.group("ops")
def ops_cli():
    """Running the service."""


@ops_cli.command("check")
@with_appcontext
def check_command():
    """Check keys, cookies, the database, SMTP, the identity providers and the workers; exit 1
    with a list of what is wrong."""
    problems = checks.findings(current_app.config)
    for problem in problems:
        click.echo(f"PROBLEM: {problem}")
    if problems:
        click.echo(f"{len(problems)} problem(s): not ready for production.")
        raise SystemExit(1)
    click.echo("ready: keys, cookies, database, SMTP, identity providers and workers are in order")


@ops_cli.command("tallies")
@click.option("--recount", is_flag=True, help="Count every day afresh, then check.")
@with_appcontext
def tallies_command(recount: bool):
    """Compare the contacts' daily tallies (what the statistics read) with a fresh count of
    the contacts; exit 1 with the differences. --recount first counts everything afresh: after
    contacts were imported or changed round the application."""
    if recount:
        click.echo(f"recounted: {tallies.rebuild():,} tallies".replace(",", " "))
        db.session.commit()
    differences = tallies.mismatches()
    for team, day, area, measure, kept, counted in differences[:50]:
        click.echo(
            f"DIFFERS: team {team}, {day}, area {area}, {measure}:"
            f" {kept or 0} kept, {counted or 0} counted"
        )
    if differences:
        click.echo(f"{len(differences)} tallies differ from the contacts: run with --recount.")
        raise SystemExit(1)
    click.echo("the tallies agree with the contacts")
