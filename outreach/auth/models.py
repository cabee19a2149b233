"""Users, their role and the teams they belong to."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from outreach.clock import UTCDateTime, now
from outreach.crypto import EncryptedText
from outreach.extensions import db, enum_type
from outreach.org.models import Kommun, Team, TeamKind, in_kommun, kommun_key, kommun_member


class Role(enum.StrEnum):
    FIELD_WORKER = "field_worker"
    TEAM_LEAD = "team_lead"
    CASEWORKER = "caseworker"
    ADMIN = "admin"
    #: Driftansvarig: runs the deployment; belongs to no kommun and sees no personal data.
    OPERATOR = "operator"
    #: Regional samordnare: given by a kommun's admin; sees the anonymous tallies of every
    #: kommun (the national statistics) and nothing else.
    COORDINATOR = "coordinator"


#: A user's teams; each in a kommun the user works for (kommun_member).
membership = Table(
    "membership",
    db.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", Integer, ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("kommun_id", Integer, ForeignKey("kommun.id"), nullable=False),
    kommun_key("membership", "team_id", "team", ondelete="CASCADE"),
    kommun_key("membership", "user_id", "kommun_member.user_id", ondelete="CASCADE", deferred=True),
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

    #: The kommuner the user works for (none for the operator).
    kommuner: Mapped[list[Kommun]] = relationship(secondary=kommun_member, order_by=Kommun.name)
    #: Every team of the user in every kommun; loaded when asked for (a user comes as the
    #: author of many an entry, their teams seldom). What the user acts in is `teams`.
    all_teams: Mapped[list[Team]] = relationship(
        secondary=membership,
        primaryjoin=lambda: User.id == membership.c.user_id,
        secondaryjoin=lambda: and_(
            membership.c.team_id == Team.id, membership.c.kommun_id == Team.kommun_id
        ),
        order_by=Team.name,
    )

    #: The kommun the user acts for in this request (set from the login session); None
    #: until chosen, and then the only one the user works for, if they work for one.
    acting_kommun_id = None

    @validates("all_teams")
    def _works_for_team_kommun(self, _key, team: Team) -> Team:
        if all(kommun.id != team.kommun_id for kommun in self.kommuner):
            self.kommuner.append(team.kommun)
        return team

    @property
    def kommun_id(self) -> int | None:
        """The kommun the user acts for now: the one chosen, or the only one they work for."""
        if self.acting_kommun_id is not None:
            return self.acting_kommun_id
        return self.kommuner[0].id if len(self.kommuner) == 1 else None

    @property
    def kommun(self) -> Kommun | None:
        return next((k for k in self.kommuner if k.id == self.kommun_id), None)

    def act_for(self, kommun_id: int | None) -> None:
        """Act for one of the user's kommuner in this request (others are out of sight)."""
        if kommun_id is not None and any(k.id == kommun_id for k in self.kommuner):
            self.acting_kommun_id = kommun_id

    @property
    def teams(self) -> list[Team]:
        """The user's teams in the kommun they act for."""
        kommun_id = self.kommun_id
        return [team for team in self.all_teams if team.kommun_id == kommun_id]

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
    #: The kommun the user chose to act for in this session (one at a time).
    kommun_id: Mapped[int | None] = mapped_column(ForeignKey("kommun.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A login through the kommun's identity provider: which, and what it needs to end its
    #: own session too at logout (the ID token it gave; for SAML the NameID and session).
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("identity_provider.id", ondelete="SET NULL")
    )
    provider_session: Mapped[str | None] = mapped_column(EncryptedText())


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app (lost or broken phone).

    Only an argon2 hash is kept; the codes are shown once, when they are made.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProviderKind(enum.StrEnum):
    OIDC = "oidc"
    SAML = "saml"


class IdentityProvider(db.Model):
    """A kommun's identity provider (Entra ID, ADFS …): its staff log in through it, and it
    says which teams and role each of them has (GroupMapping)."""

    __table_args__ = (in_kommun("identity_provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One provider a kommun.
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), unique=True)
    kind: Mapped[ProviderKind] = mapped_column(enum_type(ProviderKind, 10))
    #: What the login page's button says after "Logga in med" (Malmö stad).
    display_name: Mapped[str] = mapped_column(String(120))
    #: OpenID Connect: the issuer; its discovery document is at
    #: <issuer>/.well-known/openid-configuration.
    issuer: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(255), default="")
    client_secret: Mapped[str | None] = mapped_column(EncryptedText())
    #: The claim that identifies a person for good (Entra ID: "oid"; otherwise "sub").
    subject_claim: Mapped[str] = mapped_column(String(255), default="sub")
    #: The claim whose value becomes the username of an account made at the first login.
    username_claim: Mapped[str] = mapped_column(String(255), default="preferred_username")
    #: The claim that lists the person's groups or app roles.
    groups_claim: Mapped[str] = mapped_column(String(255), default="groups")
    #: Values of `amr` or `acr` by which the provider vouches for a login with several
    #: factors (space-separated); then Outreach asks for no code of its own.
    mfa_values: Mapped[str] = mapped_column(String(1000), default="mfa")
    #: Staff of the kommun may still log in with a password of Outreach's (admins always may:
    #: the break-glass account for when the provider is down).
    local_login: Mapped[bool] = mapped_column(Boolean, default=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)
    #: SAML: the provider's metadata (its entity id, endpoints and signing certificate), and
    #: Outreach's own key pair for this kommun, which signs its requests (made when SAML is
    #: set up; the private key encrypted).
    idp_metadata: Mapped[str | None] = mapped_column(Text)
    sp_private_key: Mapped[str | None] = mapped_column(EncryptedText())
    sp_certificate: Mapped[str | None] = mapped_column(Text)
    #: SHA-256 of the bearer token with which the provider provisions users and groups over
    #: SCIM (the token itself is shown once, when it is made).
    scim_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scim_token_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    kommun: Mapped[Kommun] = relationship(lazy="joined")
    mappings: Mapped[list["GroupMapping"]] = relationship(
        back_populates="provider",
        cascade="all, delete-orphan",
        order_by="GroupMapping.group",
        foreign_keys="GroupMapping.provider_id",
    )

    @property
    def mfa_value_set(self) -> set[str]:
        return set(self.mfa_values.split())


class GroupMapping(db.Model):
    """A group (or app role) at the provider that gives its members a role in Outreach, and a
    team of the kommun."""

    __table_args__ = (
        UniqueConstraint("provider_id", "group", "team_id"),
        kommun_key("group_mapping", "provider_id", "identity_provider", ondelete="CASCADE"),
        kommun_key("group_mapping", "team_id", "team", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True
    )
    #: The group's name or id as the provider sends it.
    group: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, 20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))

    provider: Mapped[IdentityProvider] = relationship(
        back_populates="mappings", foreign_keys=[provider_id]
    )
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])


class ExternalIdentity(db.Model):
    """Who a user is at their kommun's identity provider: the account a login through it
    opens, made at the first one."""

    __table_args__ = (
        UniqueConstraint("provider_id", "subject"),
        kommun_key("external_identity", "provider_id", "identity_provider", ondelete="CASCADE"),
        kommun_key("external_identity", "user_id", "kommun_member.user_id", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_provider.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The value of the provider's subject claim.
    subject: Mapped[str] = mapped_column(String(255))
    #: The provider's own id of the user, when it provisions them over SCIM (and then the
    #: subject too).
    external_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    user: Mapped[User] = relationship()


#: Who is in which group the provider keeps over SCIM.
scim_group_member = Table(
    "scim_group_member",
    db.metadata,
    Column("group_id", Integer, ForeignKey("scim_group.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("kommun_id", Integer, ForeignKey("kommun.id"), nullable=False),
    kommun_key("scim_group_member", "group_id", "scim_group", ondelete="CASCADE"),
    kommun_key("scim_group_member", "user_id", "kommun_member.user_id", ondelete="CASCADE"),
)


class ScimGroup(db.Model):
    """A group the kommun's identity provider keeps here over SCIM: its name is what the
    group mappings name, its members get the role and team it gives."""

    __table_args__ = (
        in_kommun("scim_group"),
        kommun_key("scim_group", "provider_id", "identity_provider", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(255))
    #: The provider's own id of the group.
    external_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, onupdate=now)

    members: Mapped[list[User]] = relationship(
        secondary=scim_group_member,
        primaryjoin=lambda: ScimGroup.id == scim_group_member.c.group_id,
        secondaryjoin=lambda: User.id == scim_group_member.c.user_id,
        order_by=User.id,
        viewonly=True,  # written through auth/scim.py, which gives the rows their kommun
    )


class SeenAssertion(db.Model):
    """A SAML assertion already used to log in: the same one again is refused (a replay)."""

    #: The assertion's ID.
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_provider.id", ondelete="CASCADE"))
    #: After this it would be refused as expired anyway, and the row can go.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
