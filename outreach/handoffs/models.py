"""Handoffs to VPC and the record of every step taken on them."""

import json
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.crypto import EncryptedText
from outreach.extensions import db, enum_type
from outreach.ids import public_id_column
from outreach.org.models import InKommun, Team, in_kommun, kommun_key
from outreach.vocabulary import HandoffBasis, HandoffStatus, Urgency
from outreach.youths.models import Youth

OPEN_CONDITION = "status IN ('sent', 'acknowledged', 'first_contact')"


class Handoff(InKommun, db.Model):
    """An överlämning of a youth to a receiving unit of the kommun (VPC by default).

    The unit sees only `shared_data`: the youth fields the sender ticked as needed, copied
    when the handoff was sent. The youth's record itself stays with the sending team.
    """

    kommun_of = ("youth", "youth_id")
    __table_args__ = (
        kommun_key("handoff", "youth_id", "youth", ondelete="CASCADE"),
        kommun_key("handoff", "from_team_id", "team"),
        kommun_key("handoff", "to_unit_id", "team"),
        kommun_key("handoff", "report_id", "report_of_concern"),
        in_kommun("handoff"),
        # At most one handoff a youth waits for VPC's first contact, also under concurrency.
        Index(
            "uq_handoff_one_open_per_youth",
            "youth_id",
            unique=True,
            postgresql_where=text(OPEN_CONDITION),
            sqlite_where=text(OPEN_CONDITION),
        ),
        # A unit's handoffs, and its inbox's in the statuses of a list (migration 0033).
        Index("ix_handoff_unit_status", "to_unit_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    #: The receiving unit the sender chose: only its members see the handoff.
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    #: The sent report of concern a handoff on that basis cites.
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report_of_concern.id"))
    from_team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    #: Only what VPC needs.
    summary: Mapped[str] = mapped_column(Text)
    urgency: Mapped[Urgency] = mapped_column(enum_type(Urgency, 10))
    #: The youth wants to leave crime (avhopp).
    wants_to_leave_crime: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[HandoffBasis] = mapped_column(enum_type(HandoffBasis, 20))
    #: Who made the secrecy assessment, for an exception to secrecy.
    secrecy_assessed_by: Mapped[str] = mapped_column(String(120), default="")
    #: {"field": "value as shown"} of the youth fields that travel with the handoff (JSON,
    #: encrypted at rest).
    shared_data: Mapped[str] = mapped_column(EncryptedText())
    status: Mapped[HandoffStatus] = mapped_column(enum_type(HandoffStatus, 20), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    first_contact_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: When VPC recorded first contact (the clock stops there).
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the VPC team lead was warned (75 % of the time gone), and when the breach of the
    #: first-contact deadline was recorded; each happens once.
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: How the first contact was made (phone, meeting …).
    first_contact_how: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    youth: Mapped[Youth] = relationship(lazy="joined", foreign_keys=[youth_id])
    from_team: Mapped[Team] = relationship(lazy="joined", foreign_keys=[from_team_id])
    to_unit: Mapped[Team] = relationship(lazy="joined", foreign_keys=[to_unit_id])
    sender: Mapped[User] = relationship(lazy="joined")
    events: Mapped[list["HandoffEvent"]] = relationship(
        order_by="HandoffEvent.id", lazy="selectin", back_populates="handoff"
    )

    @property
    def shared(self) -> dict:
        """The youth data that travelled with the handoff."""
        return json.loads(self.shared_data)

    @property
    def shared_alias(self) -> str:
        """The alias, which always travels with the handoff."""
        return self.shared["alias"]


class HandoffEvent(db.Model):
    """One step on a handoff, with time and user."""

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoff.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[HandoffStatus] = mapped_column(enum_type(HandoffStatus, 20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    note: Mapped[str] = mapped_column(Text, default="")

    handoff: Mapped[Handoff] = relationship(back_populates="events")
    user: Mapped[User] = relationship(lazy="joined")
