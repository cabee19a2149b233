"""Users, their role and the teams they belong to."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.clock import UTCDateTime, now
from outreach.crypto import EncryptedText
from outreach.extensions import db, enum_type
from outreach.org.models import Team, TeamKind


class Role(enum.StrEnum):
    FIELD_WORKER = "field_worker"
    TEAM_LEAD = "team_lead"
    CASEWORKER = "caseworker"
    ADMIN = "admin"


membership = Table(
    "membership",
    db.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", Integer, ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A member of staff who logs in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(enum_type(Role, 20))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: UI language: "sv" (default) or "en".
    locale: Mapped[str] = mapped_column(String(5), default="sv")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Consecutive failed logins; reset by a successful one.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Bumped to invalidate every session of the user (it is part of the session's user id).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: The TOTP secret of the user's authenticator app (encrypted); set at enrolment, in use
    #: once `totp_confirmed_at` is set (the first code from the app was right).
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText())
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The 30-second time step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)

    #: Loaded when asked for: a user comes as the author of many an entry, their teams seldom.
    teams: Mapped[list[Team]] = relationship(secondary=membership, order_by=Team.name)

    def get_id(self) -> str:
        """The id kept in the session: user id and session epoch."""
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def has_two_factor(self) -> bool:
        """The user logs in with a code from an authenticator app too."""
        return self.totp_confirmed_at is not None

    @property
    def team_ids(self) -> set[int]:
        return {team.id for team in self.teams}

    @property
    def field_teams(self) -> list[Team]:
        return [team for team in self.teams if team.kind == TeamKind.FIELD]

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginSession(db.Model):
    """One logged-in session, kept on the server so that logging out really ends it.

    The browser's signed cookie only names the session; a session that is ended here (logout,
    idle timeout) is refused even if an old cookie is replayed.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The random id in the session cookie.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app (lost or broken phone).

    Only an argon2 hash is kept; the codes are shown once, when they are made.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
