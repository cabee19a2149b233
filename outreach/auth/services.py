"""Passwords, login with lockout, and creating users."""

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import joinedload

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import LoginSession, Role, User
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Kommun, Team
from outreach.vocabulary import LANGUAGES

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


#: The password hash of a user who logs in through the kommun's identity provider only: no
#: password matches it.
NO_PASSWORD = "!"  # noqa: S105 (not a password: a hash nothing matches)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(username: str, password: str, *, max_failures: int, lock_seconds: int) -> User:
    """The user with these credentials, or RuleViolation with one message for every failure.

    Failed attempts are counted in the database, so the lock holds across processes. The
    login is complete only after complete_login() (and the second factor, where one is due).
    """
    user = db.session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        _verify(_DUMMY_HASH, password)  # same work whether or not the user exists
        audit.record(AuditAction.LOGIN_FAILED, "user", None, user_id=None, kommun_id=None)
        raise RuleViolation(BAD_CREDENTIALS)
    if is_locked(user):
        record_account(AuditAction.LOGIN_FAILED, user, by=None, detail="locked")
        raise RuleViolation(BAD_CREDENTIALS)
    if not _verify(user.password_hash, password) or not user.is_enabled:
        count_failure(user, max_failures, lock_seconds)
        record_account(AuditAction.LOGIN_FAILED, user, by=None)
        raise RuleViolation(BAD_CREDENTIALS)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_account(action: AuditAction, user: User, *, by: User | None, detail: str = "") -> None:
    """An audit row about a user's account, in the kommun of whoever acted on it (the user's
    own when nobody logged in did; none when the operator did, who acts for no kommun)."""
    audit.record(
        action,
        "user",
        user.id,
        user_id=by.id if by else None,
        kommun_id=(by or user).kommun_id,
        detail=detail,
    )


def complete_login(user: User, how: str) -> str:
    """Every factor is right: clear the failures, record the login, start a new server-side
    session; returns its token."""
    user.failed_logins = 0
    user.locked_until = None
    record_account(AuditAction.LOGIN, user, by=user, detail=how)
    return start_session(user)


def is_locked(user: User) -> bool:
    """The account is locked after too many failed attempts (for a while, or until an admin
    unlocks it)."""
    return user.locked_until is not None and user.locked_until > now()


def count_failure(user: User, max_failures: int, lock_seconds: int) -> None:
    """Count a failed password or second factor; lock the account at the limit."""
    # One UPDATE that increments in the database, so concurrent failures all count.
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
    )
    db.session.refresh(user)
    if user.failed_logins >= max_failures:
        user.failed_logins = 0
        user.locked_until = now() + timedelta(seconds=lock_seconds)
    db.session.flush()


def unlock(user: User, *, by: User) -> None:
    """Lift a lockout before it expires (the admin, once sure it is the user asking)."""
    user.failed_logins = 0
    user.locked_until = None
    record_account(AuditAction.UPDATE, user, by=by, detail="unlocked")
    db.session.flush()


def create_user(
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str | None,
    teams: list[Team],
    email: str | None = None,
    by: User | None = None,
    kommun: Kommun | None = None,
) -> User:
    """A new user of the kommun (and of their teams' kommun); refuses short passwords and taken
    usernames. `by` is the admin (None from the command line or a login through the kommun's
    identity provider). A user with no password (None) logs in through the provider only."""
    username = username.strip()
    if not username:
        raise RuleViolation(_l("A username is required."), "username")
    check_teams_of(role, teams)
    if password is not None:
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
        password_hash=hash_password(password) if password is not None else NO_PASSWORD,
        kommuner=[kommun] if kommun is not None else [],
        all_teams=list(teams),
        email=email,
    )
    db.session.add(user)
    db.session.flush()
    record_account(AuditAction.CREATE, user, by=by, detail=role.value)
    return user


def check_teams_of(role: Role, teams: list[Team]) -> None:
    """A regional coordinator is in no team: they see anonymous tallies only."""
    if role == Role.COORDINATOR and teams:
        raise RuleViolation(
            _l("A regional coordinator is in no team: they see only anonymous figures."), "teams"
        )


def set_locale(user: User, locale: str) -> None:
    """Change the user's UI language."""
    if locale not in LANGUAGES:
        raise RuleViolation(_l("Choose one of the listed languages."), "locale")
    user.locale = locale
    db.session.flush()


#: How often a session's last-seen time is written (not on every request).
TOUCH_INTERVAL = timedelta(seconds=30)


def user_of_session(
    user_id: int, epoch: int, token: str | None
) -> tuple[User | None, LoginSession | None]:
    """The user a session cookie names, unless the user's sessions were invalidated since (a
    new session epoch) or the account is no longer in use; with the user's login session the
    cookie's token names, if there is one (resume_session checks it). One statement for both,
    with the user's kommuner and teams: every logged-in request reads them (the menu, the
    policy's predicates)."""
    found = (
        db.session.execute(
            select(User, LoginSession)
            .outerjoin(
                LoginSession,
                and_(LoginSession.user_id == User.id, LoginSession.token == (token or "")),
            )
            .where(User.id == user_id)
            .options(joinedload(User.kommuner), joinedload(User.all_teams))
        )
        .unique()
        .one_or_none()
    )
    if found is None:
        return None, None
    user, login_session = found
    if user.session_epoch != epoch or not user.is_enabled:
        return None, None
    return user, login_session


def start_session(user: User) -> str:
    """A new server-side login session; returns the token kept in the session cookie. A user
    who works for one kommun acts for it; one who works for several chooses (choose_kommun)."""
    token = secrets.token_urlsafe(32)
    only = user.kommuner[0].id if len(user.kommuner) == 1 else None
    db.session.add(LoginSession(token=token, user_id=user.id, kommun_id=only))
    db.session.flush()
    return token


def choose_kommun(token: str | None, user: User, kommun_id: int) -> bool:
    """The user acts for this kommun (one of theirs) from now on in this session."""
    if token is None or all(kommun.id != kommun_id for kommun in user.kommuner):
        return False
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token == token, LoginSession.user_id == user.id)
        .values(kommun_id=kommun_id)
    )
    user.act_for(kommun_id)
    audit.record(
        AuditAction.LOGIN,
        "kommun",
        kommun_id,
        user_id=user.id,
        kommun_id=kommun_id,
        detail="act for",
    )
    return True


def resume_session(
    login_session: LoginSession | None,
    user: User,
    *,
    idle: timedelta,
    lifetime: timedelta,
    activity: bool = True,
) -> tuple[bool, str]:
    """Whether the session may go on: (True, "") or (False, "idle" | "expired" | "ended").

    A session ends after `idle` without activity and `lifetime` after login, whatever the
    activity; it is ended here, so that an old cookie cannot bring it back. `login_session`:
    the one the cookie's token names (user_of_session read it with the user), None when none.
    """
    if login_session is None or login_session.ended_at is not None:
        return False, "ended"
    if login_session.user_id != user.id:
        return False, "ended"
    user.act_for(login_session.kommun_id)
    moment = now()
    for reason, limit, since in (
        ("expired", lifetime, login_session.started_at),
        ("idle", idle, login_session.last_seen_at),
    ):
        if moment - since > limit:
            login_session.ended_at = moment
            db.session.flush()
            return False, reason
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


def end_every_session(user: User, *, by: User | None, why: str) -> None:
    """Log the user out everywhere: every session ends, and cookies issued before are refused
    (the session epoch is part of the user id the cookie names)."""
    user.session_epoch += 1
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now())
    )
    record_account(AuditAction.LOGOUT, user, by=by, detail=why)
    db.session.flush()
