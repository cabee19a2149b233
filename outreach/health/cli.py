"""`flask ops check`: validate a production configuration before the service starts."""

import click
from flask import current_app
from flask.cli import with_appcontext

from outreach.health import checks


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
