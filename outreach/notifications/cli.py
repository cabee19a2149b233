"""`flask notifications send`: deliver the mail outbox over SMTP, once or in a loop."""

import smtplib
import time
from datetime import datetime, timedelta
from typing import NamedTuple

import click
from flask import current_app
from flask.cli import with_appcontext

from outreach import workers
from outreach.clock import now
from outreach.errors import database_unavailable
from outreach.extensions import db
from outreach.notifications import relay, services
from outreach.notifications.models import OutboxMail
from outreach.transaction import forget

#: Seconds between tries at recording a sent mail while the database is away.
RECORD_SENT_RETRY_SECONDS = 1.0


@click.group("notifications")
def notifications_cli():
    """Notifications."""


class Round(NamedTuple):
    """What one round of delivery did."""

    sent: int
    #: failed and to be tried again later
    failed: int
    #: given up on: dead letters for the admin
    dead: int = 0


def refused_for_good(error: Exception) -> bool:
    """The SMTP server said no for good (5xx) to the mail, not "later" (4xx) or nothing at all
    (down, timed out): retrying will not help, the admin must look. A refused login or TLS is
    the deployment's settings, not the mail's: tried again once they are put right."""
    if relay.of_configuration(error):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def failure(error: Exception) -> str:
    """What went wrong, as the admin reads it: the server's reply, or the kind of fault; with
    the setting to look at when it is the connection's."""
    if isinstance(error, relay.RelaySettingError):
        return str(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = error.recipients.values()
    elif isinstance(error, smtplib.SMTPResponseException):
        replies = [(error.smtp_code, error.smtp_error)]
    else:
        replies = []
    said = (
        "; ".join(
            f"{code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
            for code, reply in replies
        )
        or f"{type(error).__name__}: {error}"
    )
    explanation = relay.explained(error)
    return f"{said} ({explanation})" if explanation else said


def deliver_once() -> Round:
    """Deliver every mail that is due. Each mail is its own commit."""
    config = current_app.config
    sent = failed = dead = 0
    for mail_id in services.due_mail_ids(now()):
        claimed_at = now()
        mail = services.claim(mail_id, claimed_at)
        db.session.commit()
        if mail is None:
            continue
        try:
            with relay.relay(config) as smtp:
                smtp.send_message(services.as_message(mail, config["MAIL_FROM"]))
        except (smtplib.SMTPException, OSError) as error:
            services.mark_failed(
                mail,
                now(),
                failure(error),
                permanent=refused_for_good(error),
                max_attempts=config["MAIL_MAX_ATTEMPTS"],
            )
            if mail.dead_at is None:
                failed += 1
            else:
                dead += 1
                current_app.logger.error(
                    "mail given up on", extra={"mail_id": mail.id, "attempts": mail.attempts}
                )
            db.session.commit()
            if relay.of_configuration(error):
                # the operator's to put right, not the mail's: the other mails wait untried
                # (a wrong password tried once a round, not once a mail: no locked account)
                current_app.logger.error(
                    "the mail relay refused the connection",
                    extra={"reason": relay.explained(error), "error": type(error).__name__},
                )
                break
        else:
            _record_sent(mail_id, now(), claimed_until=claimed_at + services.CLAIM)
            sent += 1
    return Round(sent, failed, dead)


#: How long before its claim runs out a worker stops trying to record a mail it sent: the
#: claim keeps every other worker off the mail until then.
CLAIM_MARGIN = timedelta(seconds=30)


def _record_sent(mail_id: int, sent_at: datetime, *, claimed_until: datetime) -> None:
    """Record that the SMTP server took the mail. The database going away at this moment (a
    restart) would leave the mail unrecorded, and sent again once its claim ran out; the
    worker holds on to the fact and records it when the database is back, while the claim
    still holds. Recording it twice (a commit that landed but whose answer was lost) is
    recording it once."""
    while True:
        try:
            mail = db.session.get(OutboxMail, mail_id)
            if mail is not None and mail.sent_at is None:  # not erased, not recorded yet
                services.mark_sent(mail, sent_at)
            db.session.commit()
            return
        except Exception as error:
            if not database_unavailable(error) or now() > claimed_until - CLAIM_MARGIN:
                raise
            forget()
            current_app.logger.warning(
                "database unavailable; recording the sent mail again", extra={"mail_id": mail_id}
            )
            time.sleep(RECORD_SENT_RETRY_SECONDS)


#: The longest wait between rounds while every mail tried fails (the relay down or refusing).
LONGEST_WAIT = 600


def next_wait(done: Round, interval: int, waited: int) -> int:
    """Seconds to the next round: the interval, doubled after each round in which every mail
    tried failed (up to LONGEST_WAIT), back to the interval once one goes."""
    if done.failed and not done.sent:
        return min(waited * 2, LONGEST_WAIT)
    return interval


@notifications_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped.")
@click.option("--interval", default=10, show_default=True, help="Seconds between rounds.")
@with_appcontext
def send(loop: bool, interval: int):
    """Deliver due mail from the outbox (retries with backoff; nothing is lost)."""
    wait = interval
    while True:
        try:
            done = deliver_once()
        except Exception as error:
            # The database is away (restarting): the loop waits for it; a single round fails.
            if not (loop and database_unavailable(error)):
                raise
            forget()
            current_app.logger.warning("database unavailable; delivering again later")
        else:
            workers.beat(workers.MAIL)
            db.session.commit()
            click.echo(
                f"sent {done.sent}, failed {done.failed} (will be retried), "
                f"given up {done.dead} (the admin is alerted)"
            )
            wait = next_wait(done, interval, wait)
        if not loop:
            return
        time.sleep(wait)
