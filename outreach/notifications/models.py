"""In-app notifications and the outbox of mail waiting to be delivered."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.clock import UTCDateTime, now
from outreach.extensions import db
from outreach.org.models import kommun_key


class Notification(db.Model):
    """Something a user should see: a new handoff, a step on their handoff, a clock warning.
    It is of one kommun, which the user works for; so is its handoff."""

    __table_args__ = (
        kommun_key("notification", "user_id", "kommun_member.user_id", ondelete="CASCADE"),
        kommun_key("notification", "handoff_id", "handoff", ondelete="CASCADE"),
        kommun_key("notification", "report_id", "report_of_concern", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: new_handoff, acknowledged, first_contact, declined, warning, overdue (of a handoff);
    #: new_report, report_received (of a report of concern)
    kind: Mapped[str] = mapped_column(String(20))
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoff.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_of_concern.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    handoff = relationship("Handoff", lazy="joined", foreign_keys=[handoff_id])
    report = relationship("ReportOfConcern", lazy="joined", foreign_keys=[report_id])


class OutboxMail(db.Model):
    """A mail written in the same transaction as its event and delivered later by a worker.

    Mail carries no personal data: only that something waits, and a link. It is of the kommun
    whose event it tells of; its admin sees it in the outbox.
    """

    __table_args__ = (
        kommun_key("outbox_mail", "handoff_id", "handoff", ondelete="CASCADE"),
        kommun_key("outbox_mail", "report_id", "report_of_concern", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    #: One mail per event and recipient, however often the event is processed.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    #: The handoff the mail is about: the mail goes with it when the youth is deleted.
    handoff_id: Mapped[int | None] = mapped_column(
        ForeignKey("handoff.id", ondelete="CASCADE"), index=True
    )
    #: The report of concern it is about, likewise.
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_of_concern.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    #: A worker holds the mail until then while it talks to the SMTP server.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    #: Given up on: the SMTP server refused it for good, or every retry failed. The admin is
    #: alerted and can send it again; until then it waits here, never dropped.
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
