"""Small helpers that every area's views share: running a form through a service, refusals."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from outreach import submissions
from outreach.errors import Conflict, RuleViolation
from outreach.extensions import db
from outreach.htmx import render

SIMULTANEOUS = _l(
    "Someone else saved the same thing at the same moment. Reload the page to see it."
)


@dataclass
class Submission:
    """What came of a submitted form: saved (with the service's result) or not. `repeated`:
    the form's one-time token had made the result already, and nothing new was made."""

    saved: bool
    result: Any = None
    refusal: RuleViolation | None = None
    repeated: bool = False


def submit(form: FlaskForm, act: Callable[[], Any]) -> Submission:
    """Validate the form and run the service: commit on success; on a refusal roll back and
    show the message at its field. The one commit of the request happens here.

    A creating form (submissions.Once) sent again with the same token gives the record its
    first submission made, and makes nothing."""
    if not form.is_submitted():
        return Submission(saved=False)
    token = submissions.token_of(form)
    try:
        # Before validating: what the first submission made may have changed what is valid
        # (a user given access is no longer offered).
        if token and (made := submissions.earlier(token, current_user, request.path)):
            return Submission(saved=True, result=made, repeated=True)
    except RuleViolation as refusal:
        form.validate()
        attach_error(form, refusal)
        return Submission(saved=False, refusal=refusal)
    if not form.validate():
        return Submission(saved=False)
    try:
        result = act()
        if token:
            submissions.remember(token, current_user, request.path, result)
        db.session.commit()
    except RuleViolation as refusal:
        db.session.rollback()
        attach_error(form, refusal)
        return Submission(saved=False, refusal=refusal)
    except IntegrityError:
        # Someone saved the same thing at the same moment (a double submit, two users): the
        # database's constraints let one win. The same token sent twice: this one shows what
        # the other made; anything else: this one is told.
        db.session.rollback()
        if token and (made := _made_meanwhile(token)):
            return Submission(saved=True, result=made, repeated=True)
        refusal = Conflict(SIMULTANEOUS)
        attach_error(form, refusal)
        return Submission(saved=False, refusal=refusal)
    return Submission(saved=True, result=result)


def already_made(form: FlaskForm):
    """The record a creating form's token made already (a resent form), or None."""
    token = submissions.token_of(form) if form.is_submitted() else None
    return _made_meanwhile(token) if token else None


def _made_meanwhile(token: str):
    try:
        return submissions.earlier(token, current_user, request.path)
    except RuleViolation:
        return None


def form_status(form: FlaskForm, outcome: Submission | None = None) -> int:
    """409 when someone else got there first, 422 for a form that was submitted and not
    saved, 200 for a form just shown."""
    if outcome is not None and isinstance(outcome.refusal, Conflict):
        return 409
    return 422 if form.is_submitted() else 200


def attach_error(form: FlaskForm, refusal: RuleViolation) -> None:
    """Show a service's refusal next to its field, or at the top of the form."""
    field = form._fields.get(refusal.field) if refusal.field else None
    if field is not None:
        field.errors = [*field.errors, refusal.message]
    else:
        form.form_errors.append(refusal.message)


def refused(message, status: int = 400):
    """An error page with a message that says why (400: the request itself is wrong)."""
    return render("errors/error.html", "content", status=status, code=status, message=message)


def forbidden(message):
    """403 with a message that says why."""
    return refused(message, 403)
