"""One-time tokens for the forms that create a record.

A creating form carries a token made when the form was shown. The record it made is remembered
by that token in the same transaction as the record, so a double click, a resend after a lost
answer or the back button and send again finds the record instead of making a second: the user
is shown the record made the first time. Two submissions of one token at the same moment both
try to remember it; the database's key lets one win, and the other finds the winner's record.

The token is bound to its user and to the address the form was sent to. Tokens are forgotten
after a week by the nightly gallring: a form kept open longer is a new submission.
"""

import re
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, delete, inspect
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField
from wtforms.validators import Regexp

from outreach.clock import UTCDateTime, now
from outreach.errors import RuleViolation
from outreach.extensions import db

#: How long a token finds its record.
KEPT_FOR = timedelta(days=7)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

EXPIRED = _l("The form has expired. Reload the page and try again.")


class FormSubmission(db.Model):
    """A creating form's token, and the record that submission made."""

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: The path the form was sent to (its token is good for that form only).
    address: Mapped[str] = mapped_column(String(300))
    #: The table and id of the record made.
    record_table: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)


def new_token() -> str:
    """A fresh one-time token for a form about to be shown."""
    return secrets.token_urlsafe(24)


class Once:
    """Mixed into a form that creates a record: its one-time token, made when shown."""

    once = HiddenField(
        default=new_token,
        # The whole value or nothing: Regexp matches from the start only, and Optional() lets
        # blanks through; either way a token longer than its column would pass.
        validators=[Regexp(rf"(?:{_TOKEN.pattern})?\Z", message=EXPIRED)],
    )


def token_of(form) -> str | None:
    """The one-time token a submitted form carries; None for a form without one."""
    return (form.once.data or None) if isinstance(form, Once) else None


def earlier(token: str, user, address: str):
    """The record an earlier submission with this token made, or None for a new token.

    A token of another user or form, or whose record is gone since, is refused as expired.
    """
    found = db.session.get(FormSubmission, token)
    if found is None:
        return None
    if found.user_id != user.id or found.address != address:
        raise RuleViolation(EXPIRED)
    record = db.session.get(_model(found.record_table), found.record_id)
    if record is None:
        raise RuleViolation(EXPIRED)
    return record


def remember(token: str, user, address: str, record) -> None:
    """Remember that the submission with this token made `record` (flushed, so a second
    submission of the token at the same moment fails on the key)."""
    state = inspect(record)
    db.session.flush()
    (record_id,) = state.identity
    db.session.add(
        FormSubmission(
            token=token,
            user_id=user.id,
            address=address,
            record_table=state.mapper.local_table.name,
            record_id=record_id,
        )
    )
    db.session.flush()


def forget_old(today_now: datetime | None = None) -> int:
    """Forget the tokens older than a week; the number forgotten."""
    cutoff = (today_now or now()) - KEPT_FOR
    return db.session.execute(
        delete(FormSubmission).where(FormSubmission.created_at < cutoff)
    ).rowcount


def _model(table: str):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table.name == table:
            return mapper.class_
    raise LookupError(table)
