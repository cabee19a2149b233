"""The warning-sign catalogue and the append-only history of risk markings."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.extensions import db, enum_type
from outreach.ids import public_id_column
from outreach.org.models import InKommun, in_kommun, kommun_key
from outreach.vocabulary import RiskLevel, SignGroup
from outreach.youths.models import Youth


class WarningSign(db.Model):
    """A warning sign in a kommun's catalogue, which its admin maintains (Varningstecken).

    The signs of no kommun are the standard catalogue a new kommun's starts as a copy of."""

    __table_args__ = (in_kommun("warning_sign"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int | None] = mapped_column(ForeignKey("kommun.id"), index=True)
    group: Mapped[SignGroup] = mapped_column(enum_type(SignGroup, 20))
    #: The sign as field workers read it, in Swedish (catalogue content, not UI text).
    label: Mapped[str] = mapped_column(String(200))
    #: Retired signs stay on old markings but are not offered for new ones.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


#: The signs a marking records, from its kommun's catalogue.
risk_marking_sign = Table(
    "risk_marking_sign",
    db.metadata,
    Column(
        "marking_id", Integer, ForeignKey("risk_marking.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("sign_id", Integer, ForeignKey("warning_sign.id"), primary_key=True),
    Column("kommun_id", Integer, ForeignKey("kommun.id"), nullable=False),
    kommun_key("risk_marking_sign", "marking_id", "risk_marking", ondelete="CASCADE"),
    kommun_key("risk_marking_sign", "sign_id", "warning_sign"),
)


class RiskMarking(InKommun, db.Model):
    """An orosmarkering: signs observed and a level. Never changed: a new marking is added on
    top, and a withdrawal is a record of its own."""

    kommun_of = ("youth", "youth_id")
    __table_args__ = (
        # A youth's latest marking (its current one) without reading its others.
        Index("ix_risk_marking_youth_id_id", "youth_id", "id"),
        kommun_key("risk_marking", "youth_id", "youth", ondelete="CASCADE"),
        in_kommun("risk_marking"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"))
    level: Mapped[RiskLevel] = mapped_column(enum_type(RiskLevel, 10))
    comment: Mapped[str] = mapped_column(Text, default="")
    #: When the marking is to be looked at again (default 90 days on).
    review_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)

    youth: Mapped[Youth] = relationship(lazy="joined", foreign_keys=[youth_id])
    author: Mapped[User] = relationship(lazy="joined")
    signs: Mapped[list[WarningSign]] = relationship(
        secondary=risk_marking_sign,
        primaryjoin=lambda: and_(
            RiskMarking.id == risk_marking_sign.c.marking_id,
            RiskMarking.kommun_id == risk_marking_sign.c.kommun_id,
        ),
        secondaryjoin=lambda: risk_marking_sign.c.sign_id == WarningSign.id,
        order_by=WarningSign.label,
        lazy="selectin",
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
