"""Notifying users in the app and by mail. Mail goes through the outbox, written in the same
transaction as the event, and is delivered by `flask notifications send`."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from outreach.auth.models import User
from outreach.clock import now
from outreach.extensions import db
from outreach.notifications.models import Notification, OutboxMail

#: What each kind of notification says (in the app, and as the mail's subject).
TEXTS = {
    "new_handoff": _l("A new handoff is waiting in your unit's inbox"),
    "acknowledged": _l("The receiving unit has acknowledged your handoff"),
    "first_contact": _l("The receiving unit has made first contact"),
    "declined": _l("The receiving unit has declined your handoff"),
    "warning": _l("Three quarters of the time to first contact have passed"),
    "overdue": _l("First contact is overdue"),
    "consent_withdrawn": _l("A consent was withdrawn and its handoff stopped"),
    "new_report": _l("A report of concern is waiting in the intake unit's inbox"),
    "report_received": _l("The intake unit has received your report of concern"),
}
#: The kinds that are about a report of concern; the others are about a handoff.
ABOUT_A_REPORT = {"new_report", "report_received"}
#: How long a worker may hold a mail while talking to the SMTP server (far longer than the
#: SMTP timeout, so a slow server never has two workers sending the same mail).
CLAIM = timedelta(minutes=5)
LONGEST_BACKOFF = timedelta(hours=1)


def notify(
    users: Iterable[User], kind: str, about, *, link: str, mail: bool = False
) -> list[Notification]:
    """Tell the users in the app, and by mail (no personal data, only a link) if asked, of
    something about a handoff or a report of concern (`about`)."""
    made = []
    subject_of = {"report_id" if kind in ABOUT_A_REPORT else "handoff_id": about.id}
    for user in users:
        notification = Notification(
            user_id=user.id, kind=kind, kommun_id=about.kommun_id, **subject_of
        )
        db.session.add(notification)
        made.append(notification)
        if mail and user.email:
            with force_locale(user.locale or "sv"):
                subject = str(TEXTS[kind])
                body = _(
                    "%(what)s.\n\nOpen Outreach to see it: %(link)s\n\n"
                    "This mail holds no personal data; everything is in Outreach.",
                    what=subject,
                    link=link,
                )
            db.session.add(
                OutboxMail(
                    dedupe_key=f"{kind}:{about.id}:{user.id}",
                    kommun_id=about.kommun_id,
                    **subject_of,
                    to_address=user.email,
                    subject=f"Outreach: {subject}",
                    body=body,
                )
            )
    db.session.flush()
    return made


def _of(user: User):
    """The user's notifications in the kommun they act for (another's are out of sight)."""
    return (Notification.user_id == user.id) & (Notification.kommun_id == user.kommun_id)


def unread_count(user: User) -> int:
    """How many notifications the user has not opened."""
    return db.session.execute(
        select(func.count(Notification.id)).where(_of(user), Notification.read_at.is_(None))
    ).scalar_one()


def latest_for(user: User, limit: int = 50) -> list[Notification]:
    """The user's notifications, newest first."""
    return list(
        db.session.execute(
            select(Notification).where(_of(user)).order_by(Notification.id.desc()).limit(limit)
        ).scalars()
    )


def mark_all_read(user: User) -> None:
    """The user has seen their notifications."""
    db.session.execute(
        update(Notification).where(_of(user), Notification.read_at.is_(None)).values(read_at=now())
    )


# --- the outbox ------------------------------------------------------------------------


def due_mail_ids(moment: datetime, limit: int = 50) -> list[int]:
    """Mail waiting for delivery now."""
    return list(
        db.session.execute(
            select(OutboxMail.id)
            .where(
                OutboxMail.sent_at.is_(None),
                OutboxMail.dead_at.is_(None),
                OutboxMail.next_attempt_at <= moment,
                or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < moment),
            )
            .order_by(OutboxMail.id)
            .limit(limit)
        ).scalars()
    )


def claim(mail_id: int, moment: datetime) -> OutboxMail | None:
    """Hold a mail for this worker; None if another worker has it or it went out."""
    claimed = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.sent_at.is_(None),
            OutboxMail.dead_at.is_(None),
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < moment),
        )
        .values(claimed_until=moment + CLAIM)
        .execution_options(synchronize_session=False)
    ).rowcount
    return db.session.get(OutboxMail, mail_id) if claimed == 1 else None


def message_id(dedupe_key: str) -> str:
    """The Message-ID of a mail: the same each time it is tried, so that a mail program that
    drops duplicates shows a mail the server took twice once."""
    return f"<outreach-{dedupe_key.replace(':', '-')}@outreach>"


def as_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The mail as an email message."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Message-ID"] = message_id(mail.dedupe_key)
    message.set_content(mail.body)
    return message


def mark_sent(mail: OutboxMail, moment: datetime) -> None:
    """The SMTP server accepted the mail."""
    mail.sent_at = moment
    mail.claimed_until = None
    mail.attempts += 1


def mark_failed(
    mail: OutboxMail, moment: datetime, error: str, *, permanent: bool, max_attempts: int
) -> None:
    """Delivery failed: try again later, waiting longer each time; after `max_attempts`, or
    at once when the server refused it for good, set it aside as a dead letter for the
    admin (never dropped)."""
    mail.attempts += 1
    mail.claimed_until = None
    mail.last_error = error[:500]
    if permanent or mail.attempts >= max_attempts:
        mail.dead_at = moment
    else:
        mail.next_attempt_at = moment + min(timedelta(minutes=2**mail.attempts), LONGEST_BACKOFF)


def dead_letters(kommun_id: int | None) -> list[OutboxMail]:
    """The kommun's mail given up on, newest first."""
    return list(
        db.session.execute(
            select(OutboxMail)
            .where(OutboxMail.kommun_id == kommun_id, OutboxMail.dead_at.is_not(None))
            .order_by(OutboxMail.dead_at.desc(), OutboxMail.id.desc())
        ).scalars()
    )


def dead_letter_count(kommun_id: int | None = None) -> int:
    """How many of the kommun's mails are given up on (its admin's alert; every kommun's for
    the operator's health page)."""
    query = select(func.count(OutboxMail.id)).where(OutboxMail.dead_at.is_not(None))
    if kommun_id is not None:
        query = query.where(OutboxMail.kommun_id == kommun_id)
    return db.session.scalar(query)


def send_again(mail: OutboxMail, moment: datetime) -> None:
    """The admin has fixed what was wrong: the dead letter goes back in the queue, with its
    retries counted from nought again."""
    if mail.dead_at is None:
        return
    mail.dead_at = None
    mail.attempts = 0
    mail.next_attempt_at = moment
