"""`flask handoffs tick`: the first-contact clock, safe to run from cron every minute."""

import click
from flask import current_app
from flask.cli import with_appcontext

from outreach import workers
from outreach.extensions import db
from outreach.handoffs import first_contact


@click.group("handoffs")
def handoffs_cli():
    """Handoffs to VPC."""


@handoffs_cli.command("tick")
@with_appcontext
def tick():
    """Warn at 75 % of the time to first contact, record breaches at 100 %."""
    result = first_contact.tick(current_app.config["BASE_URL"])
    workers.beat(workers.CLOCK)
    db.session.commit()
    click.echo(f"warned {result.warned}, breaches recorded {result.breached}")
