"""Small helpers that every area's views share: running a form through a service (and an edit
form with its reads), the search words, refusals."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from outreach import editing, submissions, transaction
from outreach.errors import Conflict, RuleViolation
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
    #: A stale edit: the fields where the saved record and this user's form differ.
    conflict: list[editing.Difference] = field(default_factory=list)


def submit(
    form: FlaskForm,
    act: Callable[[], Any],
    *,
    edits: Any = None,
    saved: Callable[[], FlaskForm] | None = None,
) -> Submission:
    """Validate the form and run the service; on a refusal undo what it did (the request's
    reads stay logged, transaction.abandon) and show the message at its field. What the
    service did is committed with the answer (transaction.commit_request).

    A creating form (submissions.Once) sent again with the same token gives the record its
    first submission made, and makes nothing. A form that edits a record (editing.Edits;
    `edits` the record, `saved` the same form filled from the record as it is now) takes in
    what others changed since it was shown, and is refused when someone changed the same
    fields, with both versions to compare; once saved, it is stamped with the new version."""
    if not form.is_submitted():
        if edits is not None:
            editing.seal(form, edits)
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
    if edits is not None:
        editing.hold(edits)
        now_saved = saved()
        if conflicts := editing.cross(form, edits, now_saved):
            return _stale(form, edits, now_saved, conflicts)
    try:
        result = act()
        if token:
            submissions.remember(token, current_user, request.path, result)
        transaction.flush()
    except RuleViolation as refusal:
        transaction.abandon()
        # The same form sent twice at once: the other submission landed after this one
        # looked for it, and what it made is what this one was refused for ("the youth
        # already has a handoff in progress"): this one shows it.
        if token and (made := _made_meanwhile(token)):
            return Submission(saved=True, result=made, repeated=True)
        attach_error(form, refusal)
        return Submission(saved=False, refusal=refusal)
    except IntegrityError:
        # Someone saved the same thing at the same moment (a double submit, two users): the
        # database's constraints let one win. The same token sent twice: this one shows what
        # the other made; anything else: this one is told.
        transaction.abandon()
        if token and (made := _made_meanwhile(token)):
            return Submission(saved=True, result=made, repeated=True)
        refusal = Conflict(SIMULTANEOUS)
        attach_error(form, refusal)
        return Submission(saved=False, refusal=refusal)
    except StaleDataError:
        # Another save of the same row landed between our reading it and writing it (SQLite,
        # where the row is not locked): nothing of this one was saved.
        transaction.abandon()
        refusal = Conflict(SIMULTANEOUS)
        attach_error(form, refusal)
        return Submission(saved=False, refusal=refusal)
    if edits is not None:  # the next save from this form builds on this one
        editing.seal(form, edits)
    return Submission(saved=True, result=result)


def edit(
    form: FlaskForm,
    record,
    act: Callable[[], Any],
    *,
    saved: Callable[[], FlaskForm],
    read: Callable[[str], None],
    shown: str,
) -> Submission:
    """An edit form through submit(), with the reads the access log must have: the form shown
    is a read of the record (`read(shown)`), and so is a conflict, whose page shows what
    someone else saved (`read("edit conflict")`)."""
    if request.method == "GET":
        read(shown)
    outcome = submit(form, act, edits=record, saved=saved)
    if outcome.conflict:
        read("edit conflict")
    return outcome


def _stale(form, record, now_saved: FlaskForm, conflicts: list[editing.Difference]):
    """Refuse an edit that crossed another on the same fields: both versions of those fields
    to compare, and the form, merged, moved on to the saved version so that saving it again
    is a knowing choice."""
    refusal = editing.Stale(editing.STALE)
    attach_error(form, refusal)
    editing.seal(form, record, shows=now_saved)
    return Submission(saved=False, refusal=refusal, conflict=conflicts)


def already_made(form: FlaskForm):
    """The record a creating form's token made already (a resent form), or None."""
    token = submissions.token_of(form) if form.is_submitted() else None
    return _made_meanwhile(token) if token else None


def _made_meanwhile(token: str):
    try:
        return submissions.earlier(token, current_user, request.path)
    except RuleViolation:
        return None


#: The longest search accepted (longer is cut).
MAX_QUERY = 100


def searched_for() -> str:
    """The search words. They are posted, never put in a URL, so that no name is left in the
    tablet's history or in the server's access log."""
    return (request.form.get("q") or "").strip()[:MAX_QUERY]


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
