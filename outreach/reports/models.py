"""Reports of concern (orosanmälan): one child per report, drafted and then sent."""

import json
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.crypto import EncryptedText
from outreach.editing import Versioned
from outreach.extensions import db
from outreach.ids import public_id_column
from outreach.org.models import InKommun, Team, in_kommun, kommun_key
from outreach.vocabulary import ConcernKind
from outreach.youths.models import Youth


class ReportOfConcern(InKommun, Versioned, db.Model):
    """An orosanmälan about one child. Never anonymous: the author is the reporter."""

    kommun_of = ("youth", "youth_id")
    __table_args__ = (
        kommun_key("report_of_concern", "youth_id", "youth", ondelete="CASCADE"),
        kommun_key("report_of_concern", "to_unit_id", "team"),
        in_kommun("report_of_concern"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: Comma-separated ConcernKind codes.
    kinds: Mapped[str] = mapped_column(String(120))
    #: The concrete concern, with examples.
    concern: Mapped[str] = mapped_column(Text)
    #: What the child said, kept apart from what the reporter saw.
    child_said: Mapped[str] = mapped_column(Text, default="")
    reporter_saw: Mapped[str] = mapped_column(Text, default="")
    #: The reporter's relation to the child.
    relation: Mapped[str] = mapped_column(Text)
    earlier_concern: Mapped[str] = mapped_column(Text, default="")
    family_informed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: The intake unit it was delivered to in Outreach; None for a draft, or a report sent
    #: on paper (printed, or by the intake unit's own channel).
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    #: When the intake unit acknowledged receipt, and who did.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The child's identity, guardians and interpreter need as they were when it was sent
    #: (JSON, encrypted at rest).
    child_snapshot: Mapped[str | None] = mapped_column(EncryptedText())

    youth: Mapped[Youth] = relationship(lazy="joined", foreign_keys=[youth_id])
    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[author_id])
    to_unit: Mapped[Team | None] = relationship(lazy="joined", foreign_keys=[to_unit_id])
    received_by: Mapped[User | None] = relationship(foreign_keys=[received_by_id])

    @property
    def concern_kinds(self) -> list[ConcernKind]:
        """What the concern is about."""
        return [ConcernKind(code) for code in self.kinds.split(",") if code]

    @property
    def delivered(self) -> bool:
        """Sent to an intake unit inside Outreach (not on paper)."""
        return self.to_unit_id is not None

    @property
    def child(self) -> dict | None:
        """The child's details as sent, or None for a draft."""
        return json.loads(self.child_snapshot) if self.child_snapshot else None
