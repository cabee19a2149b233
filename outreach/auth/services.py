"""Passwords, login with lockout, and creating users."""

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import Role, User
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Team

MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash("not a password of anyone's")

BAD_CREDENTIALS = _l("Wrong username or password.")
LOCKED = _l("Too many failed attempts. The account is locked for a while; try again later.")


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
        raise RuleViolation(LOCKED)
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
