"""Consents and their withdrawals (a withdrawal is a record of its own; nothing is erased)."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.extensions import db, enum_type
from outreach.ids import public_id_column
from outreach.vocabulary import ConsentForm, ConsentParty, Recipient
from outreach.youths.models import Youth


class Consent(db.Model):
    """One party's consent to sharing the youth's information for a purpose (Samtycke)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    given_by: Mapped[ConsentParty] = mapped_column(enum_type(ConsentParty, 12))
    purpose: Mapped[str] = mapped_column(Text)
    #: Who "other" is, when the consent covers another recipient.
    other_recipient: Mapped[str] = mapped_column(String(120), default="")
    form: Mapped[ConsentForm] = mapped_column(enum_type(ConsentForm, 10))
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    youth: Mapped[Youth] = relationship(lazy="joined")
    recorded_by: Mapped[User] = relationship(lazy="joined")
    withdrawal: Mapped["ConsentWithdrawal | None"] = relationship(
        back_populates="consent", lazy="joined", uselist=False
    )
    recipient_rows: Mapped[list["ConsentRecipient"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def recipients(self) -> list[Recipient]:
        """Whom the consent allows sharing with, in the vocabulary's order."""
        order = list(Recipient)
        return sorted((row.recipient for row in self.recipient_rows), key=order.index)

    def covers(self, recipient: Recipient) -> bool:
        """The consent allows sharing with the recipient."""
        return recipient in self.recipients

    def is_active_on(self, day: date) -> bool:
        """Given by then, not expired and not withdrawn by then."""
        if self.given_on > day or (self.expires_on is not None and self.expires_on < day):
            return False
        return self.withdrawal is None or self.withdrawal.withdrawn_on > day


class ConsentRecipient(db.Model):
    """A recipient a consent allows sharing with."""

    consent_id: Mapped[int] = mapped_column(
        ForeignKey("consent.id", ondelete="CASCADE"), primary_key=True
    )
    recipient: Mapped[Recipient] = mapped_column(enum_type(Recipient, 10), primary_key=True)


class ConsentWithdrawal(db.Model):
    """The withdrawal of a consent: from which day, and why. It stops sharing at once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("consent.id", ondelete="CASCADE"), unique=True
    )
    withdrawn_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    consent: Mapped[Consent] = relationship(back_populates="withdrawal")
    recorded_by: Mapped[User] = relationship(lazy="joined")
