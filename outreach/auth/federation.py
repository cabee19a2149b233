"""The kommuner's identity providers as the login sees them: which to offer, whether a kommun
still lets its staff use passwords of Outreach's own, and the sessions a login through a
provider started (ended with the provider's when it says the person logged out there)."""

from urllib.parse import urlsplit

from sqlalchemy import select, update

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import (
    ExternalIdentity,
    IdentityProvider,
    LoginSession,
    Role,
    User,
)
from outreach.auth.services import end_every_session
from outreach.extensions import db
from outreach.org.models import Kommun


def login_choices() -> list[IdentityProvider]:
    """The providers the login page offers ("Logga in med …"), by kommun."""
    return list(
        db.session.execute(
            select(IdentityProvider)
            .join(Kommun, Kommun.id == IdentityProvider.kommun_id)
            .where(IdentityProvider.is_enabled.is_(True))
            .order_by(Kommun.name)
        ).scalars()
    )


def provider_for(code: str) -> IdentityProvider | None:
    """The enabled provider of the kommun with this code, if it has one."""
    return db.session.execute(
        select(IdentityProvider)
        .join(Kommun, Kommun.id == IdentityProvider.kommun_id)
        .where(Kommun.code == code, IdentityProvider.is_enabled.is_(True))
    ).scalar_one_or_none()


def provider(provider_id: int | None) -> IdentityProvider | None:
    """The enabled provider with this id."""
    found = db.session.get(IdentityProvider, provider_id) if provider_id else None
    return found if found is not None and found.is_enabled else None


def secure_address(address: str) -> bool:
    """An https address (plain http only for this machine itself, as in tests and demos):
    discovery, keys and tokens must not travel unencrypted."""
    parts = urlsplit(address)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"}
    )


def password_login_allowed(user: User) -> bool:
    """Whether the user may log in with a password of Outreach's: an admin always may (the
    way in when the provider is down), others unless every kommun they work for has turned
    passwords off for its provider."""
    if user.role == Role.ADMIN or not user.kommuner:
        return True
    closed = set(
        db.session.execute(
            select(IdentityProvider.kommun_id).where(
                IdentityProvider.kommun_id.in_([k.id for k in user.kommuner]),
                IdentityProvider.is_enabled.is_(True),
                IdentityProvider.local_login.is_(False),
            )
        ).scalars()
    )
    return any(kommun.id not in closed for kommun in user.kommuner)


def remember_provider_session(token: str, provider: IdentityProvider, held: str) -> None:
    """The session `token` was started by a login through the provider; `held` is what the
    provider needs to end its own session (its ID token; the SAML NameID and session)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token == token)
        .values(provider_id=provider.id, provider_session=held)
    )


def provider_session(token: str | None) -> tuple[IdentityProvider, str] | None:
    """The provider that started the session, and what it needs to end its own, if a
    provider did."""
    if not token:
        return None
    row = db.session.execute(
        select(LoginSession.provider_id, LoginSession.provider_session).where(
            LoginSession.token == token
        )
    ).one_or_none()
    found = provider(row.provider_id) if row else None
    return (found, row.provider_session) if found is not None and row.provider_session else None


def logged_out_at_provider(provider: IdentityProvider, subject: str) -> bool:
    """The person logged out at the provider: every session of their account ends. False
    when the provider names nobody with an account here."""
    user = db.session.execute(
        select(User)
        .join(ExternalIdentity, ExternalIdentity.user_id == User.id)
        .where(ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == subject)
    ).scalar_one_or_none()
    if user is None:
        return False
    end_every_session(user, by=None, why="logged out at the identity provider")
    return True


def record_refusal(provider: IdentityProvider, reason: str) -> None:
    """A login through the provider that was refused, in the kommun's audit trail (the reason
    as the log has it; nothing the person wrote)."""
    audit.record(
        AuditAction.LOGIN_FAILED,
        "identity_provider",
        provider.id,
        user_id=None,
        kommun_id=provider.kommun_id,
        detail=reason,
    )
