"""The history of a shift's review: every sign-off, return and answer, with time and user."""

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.extensions import db, enum_type
from outreach.shifts.models import Shift
from outreach.vocabulary import ReviewDecision


class ShiftReview(db.Model):
    """One step in the review of a shift (the shift's review_status is where it stands now)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    decision: Mapped[ReviewDecision] = mapped_column(enum_type(ReviewDecision, 20))
    #: Why the shift goes back to its workers, or what they answered.
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship(lazy="joined")
