"""Two-factor login: an authenticator app (TOTP, RFC 6238) enrolled with a QR code, each code
accepted once, and one-time recovery codes kept only as hashes.

A wrong code counts toward the account's lockout like a wrong password.
"""

import hmac
import re
import secrets
import time

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from outreach.audit import AuditAction
from outreach.auth.models import RecoveryCode, User
from outreach.auth.services import count_failure, end_every_session, is_locked, record_account
from outreach.clock import now
from outreach.errors import Conflict, RuleViolation
from outreach.extensions import db

ISSUER = "Outreach"
RECOVERY_CODE_COUNT = 10
#: Unambiguous letters and digits (no 0/O, 1/I/L): 12 of them are 60 bits.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: Recovery codes are long and random, so a lighter argon2 than for passwords is plenty.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

WRONG_CODE = _l(
    "The code is not right, or it has been used already. Check the time on your phone and "
    "try the newest code."
)


def new_secret() -> str:
    """A new secret for an authenticator app. It stays with the enrolling browser (its session)
    until the first code from the app confirms it: only then is it the user's."""
    return pyotp.random_base32()


def qr_code(user: User, secret: str) -> str:
    """The enrolment QR code as an SVG data URI (drawn on the server: no script, no fetch)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


ALREADY_ENROLLED = _l(
    "Two-factor login was set up for your account a moment ago, somewhere else. If that was "
    "not you, tell the system administrator at once."
)


def confirm_enrolment(user: User, secret: str, code: str) -> list[str]:
    """Make the secret the user's once the first code from the app is right; returns the new
    recovery codes (to show once). Refused if the user enrolled elsewhere meanwhile."""
    if user.has_two_factor:
        raise Conflict(ALREADY_ENROLLED)
    if not _accept_totp(user, code, secret):
        raise RuleViolation(WRONG_CODE, "code")
    taken = db.session.execute(
        update(User)
        .where(User.id == user.id, User.totp_confirmed_at.is_(None))
        .values(totp_secret=secret, totp_confirmed_at=now())  # encrypted by the column type
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise Conflict(ALREADY_ENROLLED)
    db.session.refresh(user)
    codes = _new_recovery_codes(user)
    record_account(AuditAction.UPDATE, user, by=user, detail="two-factor on")
    return codes


def check_second_factor(user: User, code: str, *, max_failures: int, lock_seconds: int) -> str:
    """Accept a code from the app or an unused recovery code; returns which ("app" or
    "recovery code"). A wrong code counts toward the lockout, and a locked account accepts
    nothing."""
    if is_locked(user):
        raise RuleViolation(WRONG_CODE, "code")
    if _accept_totp(user, code):
        return "app"
    if _accept_recovery_code(user, code):
        record_account(AuditAction.UPDATE, user, by=user, detail="recovery code used")
        return "recovery code"
    count_failure(user, max_failures, lock_seconds)
    record_account(AuditAction.LOGIN_FAILED, user, by=None, detail="second factor")
    raise RuleViolation(WRONG_CODE, "code")


def replace_recovery_codes(
    user: User, code: str, *, max_failures: int, lock_seconds: int
) -> list[str]:
    """New recovery codes in place of the old ones, for a user who proves the app is theirs.
    A wrong code counts toward the lockout, as at login."""
    if not user.has_two_factor or not _accept_totp(user, code):
        count_failure(user, max_failures, lock_seconds)
        raise RuleViolation(WRONG_CODE, "code")
    codes = _new_recovery_codes(user)
    record_account(AuditAction.UPDATE, user, by=user, detail="new recovery codes")
    return codes


def reset(user: User, *, by: User) -> None:
    """Take two-factor login away from a user (lost phone): every session made with the old
    factor ends, and they enrol again at the next login."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    _retire_recovery_codes(user)
    record_account(AuditAction.UPDATE, user, by=by, detail="two-factor reset")
    end_every_session(user, by=by, why="two-factor reset")


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return len(_unused(user))


_SIX_DIGITS = re.compile(r"[0-9]{6}")


def _accept_totp(user: User, code: str, secret: str | None = None) -> bool:
    """The code is the app's code for now (one step of clock drift either way) and newer than
    the last one accepted. Taking the step is one conditional UPDATE, so the same code sent
    twice at once is accepted once. `secret`: one being enrolled, instead of the user's."""
    code = "".join(code.split())
    secret = secret or user.totp_secret
    if not _SIX_DIGITS.fullmatch(code) or secret is None:
        return False
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            taken = db.session.execute(
                update(User)
                .where(User.id == user.id, User.totp_last_step < step)
                .values(totp_last_step=step)
            ).rowcount
            db.session.refresh(user)
            return taken == 1
    return False


def _normalised(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in _ALPHABET)


def _unused(user: User) -> list[RecoveryCode]:
    return list(
        db.session.execute(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).scalars()
    )


def _accept_recovery_code(user: User, code: str) -> bool:
    typed = _normalised(code)
    if len(typed) != 12:
        return False
    for stored in _unused(user):
        try:
            _code_hasher.verify(stored.code_hash, typed)
        except (VerificationError, InvalidHashError):
            continue
        used = db.session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
            .values(used_at=now())
        ).rowcount
        return used == 1
    return False


def _retire_recovery_codes(user: User) -> None:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now())
    )


def _new_recovery_codes(user: User) -> list[str]:
    """Retire the user's recovery codes and make new ones, shown as XXXX-XXXX-XXXX."""
    _retire_recovery_codes(user)
    codes = [
        "".join(secrets.choice(_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_code_hasher.hash(code)) for code in codes
    )
    db.session.flush()
    return ["-".join(code[i : i + 4] for i in (0, 4, 8)) for code in codes]
