"""The warning-sign catalogue and the append-only history of risk markings."""

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.extensions import db, enum_type
from outreach.ids import public_id_column
from outreach.vocabulary import RiskLevel, SignGroup
from outreach.youths.models import Youth


class WarningSign(db.Model):
    """A warning sign in the catalogue the admin maintains (Varningstecken)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group: Mapped[SignGroup] = mapped_column(enum_type(SignGroup, 20))
    #: The sign as field workers read it, in Swedish (catalogue content, not UI text).
    label: Mapped[str] = mapped_column(String(200))
    #: Retired signs stay on old markings but are not offered for new ones.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


risk_marking_sign = Table(
    "risk_marking_sign",
    db.metadata,
    Column(
        "marking_id", Integer, ForeignKey("risk_marking.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("sign_id", Integer, ForeignKey("warning_sign.id"), primary_key=True),
)


class RiskMarking(db.Model):
    """An orosmarkering: signs observed and a level. Never changed: a new marking is added on
    top, and a withdrawal is a record of its own."""

    # A youth's latest marking (its current one) without reading its others.
    __table_args__ = (Index("ix_risk_marking_youth_id_id", "youth_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"))
    level: Mapped[RiskLevel] = mapped_column(enum_type(RiskLevel, 10))
    comment: Mapped[str] = mapped_column(Text, default="")
    #: When the marking is to be looked at again (default 90 days on).
    review_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)

    youth: Mapped[Youth] = relationship(lazy="joined")
    author: Mapped[User] = relationship(lazy="joined")
    signs: Mapped[list[WarningSign]] = relationship(
        secondary=risk_marking_sign, order_by=WarningSign.label, lazy="selectin"
    )
    withdrawal: Mapped["RiskMarkingWithdrawal | None"] = relationship(
        back_populates="marking", lazy="joined", uselist=False
    )


class RiskMarkingWithdrawal(db.Model):
    """The withdrawal of a marking, with the reason (the marking itself is kept)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    marking_id: Mapped[int] = mapped_column(
        ForeignKey("risk_marking.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    marking: Mapped[RiskMarking] = relationship(back_populates="withdrawal")
    withdrawn_by: Mapped[User] = relationship(lazy="joined")
