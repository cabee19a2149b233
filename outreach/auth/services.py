"""Passwords, login with lockout, and creating users."""

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import LoginSession, Role, User
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Team

MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash("not a password of anyone's")

#: The one answer to every failed login, so it never tells which accounts exist or are locked.
BAD_CREDENTIALS = _l(
    "Wrong username or password, or the account is locked for a while after too many "
    "failed attempts."
)


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise RuleViolation(
            _l("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            "password",
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str, *, max_failures: int, lock_seconds: int) -> User:
    """The user with these credentials, or RuleViolation with one message for every failure.

    Failed attempts are counted in the database, so the lock holds across processes.
    """
    user = db.session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        _verify(_DUMMY_HASH, password)  # same work whether or not the user exists
        audit.record(AuditAction.LOGIN_FAILED, "user", None, user_id=None)
        raise RuleViolation(BAD_CREDENTIALS)
    if user.locked_until is not None and user.locked_until > now():
        audit.record(AuditAction.LOGIN_FAILED, "user", user.id, user_id=None, detail="locked")
        raise RuleViolation(BAD_CREDENTIALS)
    if not _verify(user.password_hash, password) or not user.is_enabled:
        _count_failure(user, max_failures, lock_seconds)
        audit.record(AuditAction.LOGIN_FAILED, "user", user.id, user_id=None)
        raise RuleViolation(BAD_CREDENTIALS)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(AuditAction.LOGIN, "user", user.id, user_id=user.id)
    return user


def _count_failure(user: User, max_failures: int, lock_seconds: int) -> None:
    # One UPDATE that increments in the database, so concurrent failures all count.
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
    )
    db.session.refresh(user)
    if user.failed_logins >= max_failures:
        user.failed_logins = 0
        user.locked_until = now() + timedelta(seconds=lock_seconds)
    db.session.flush()


def create_user(
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    teams: list[Team],
    email: str | None = None,
) -> User:
    """A new user; refuses short passwords and taken usernames."""
    username = username.strip()
    if not username:
        raise RuleViolation(_l("A username is required."), "username")
    check_password_rules(password)
    taken = db.session.execute(
        select(User.id).where(func.lower(User.username) == username.lower())
    ).first()
    if taken:
        raise RuleViolation(_l("The username is already taken."), "username")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        password_hash=hash_password(password),
        teams=list(teams),
        email=email,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_locale(user: User, locale: str, allowed: dict[str, str]) -> None:
    """Change the user's UI language."""
    if locale not in allowed:
        raise RuleViolation(_l("Choose one of the listed languages."), "locale")
    user.locale = locale
    db.session.flush()


#: How often a session's last-seen time is written (not on every request).
TOUCH_INTERVAL = timedelta(seconds=30)


def start_session(user: User) -> str:
    """A new server-side login session; returns the token kept in the session cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token=token, user_id=user.id))
    db.session.flush()
    return token


def resume_session(
    token: str | None, user_id: int, idle: timedelta, *, activity: bool = True
) -> tuple[bool, str]:
    """Whether the session may go on: (True, "") or (False, "idle" | "ended").

    An idle session is ended here, so that an old cookie cannot bring it back.
    """
    if not token:
        return False, "ended"
    login_session = db.session.execute(
        select(LoginSession).where(LoginSession.token == token)
    ).scalar_one_or_none()
    if login_session is None or login_session.ended_at is not None:
        return False, "ended"
    if login_session.user_id != user_id:
        return False, "ended"
    moment = now()
    if moment - login_session.last_seen_at > idle:
        login_session.ended_at = moment
        db.session.flush()
        return False, "idle"
    if activity and moment - login_session.last_seen_at > TOUCH_INTERVAL:
        login_session.last_seen_at = moment
        db.session.flush()
    return True, ""


def end_session(token: str | None) -> None:
    """End one session (logout)."""
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token == token, LoginSession.ended_at.is_(None))
            .values(ended_at=now())
        )
