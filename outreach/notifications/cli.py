"""`flask notifications send`: deliver the mail outbox over SMTP, once or in a loop."""

import smtplib
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from outreach.clock import now
from outreach.extensions import db
from outreach.notifications import services


@click.group("notifications")
def notifications_cli():
    """Notifications."""


def deliver_once() -> tuple[int, int]:
    """Deliver every mail that is due; returns (sent, failed). Each mail is its own commit."""
    config = current_app.config
    sent = failed = 0
    for mail_id in services.due_mail_ids(now()):
        mail = services.claim(mail_id, now())
        db.session.commit()
        if mail is None:
            continue
        try:
            with smtplib.SMTP(
                config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]
            ) as smtp:
                smtp.send_message(services.as_message(mail, config["MAIL_FROM"]))
        except (smtplib.SMTPException, OSError) as error:
            services.mark_failed(mail, now(), f"{type(error).__name__}: {error}")
            failed += 1
        else:
            services.mark_sent(mail, now())
            sent += 1
        db.session.commit()
    return sent, failed


@notifications_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped.")
@click.option("--interval", default=10, show_default=True, help="Seconds between rounds.")
@with_appcontext
def send(loop: bool, interval: int):
    """Deliver due mail from the outbox (retries with backoff; nothing is lost)."""
    while True:
        sent, failed = deliver_once()
        click.echo(f"sent {sent}, failed {failed} (will be retried)")
        if not loop:
            return
        time.sleep(interval)
