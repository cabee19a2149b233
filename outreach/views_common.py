"""Small helpers that every area's views share: running a form through a service, refusals."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm

from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.htmx import render


@dataclass
class Submission:
    """What came of a submitted form: saved (with the service's result) or not."""

    saved: bool
    result: Any = None
    refusal: RuleViolation | None = None


def submit(form: FlaskForm, act: Callable[[], Any]) -> Submission:
    """Validate the form and run the service: commit on success; on a refusal roll back and
    show the message at its field. The one commit of the request happens here."""
    if not form.validate_on_submit():
        return Submission(saved=False)
    try:
        result = act()
    except RuleViolation as refusal:
        db.session.rollback()
        attach_error(form, refusal)
        return Submission(saved=False, refusal=refusal)
    db.session.commit()
    return Submission(saved=True, result=result)


def form_status(form: FlaskForm) -> int:
    """422 for a form that was submitted and not saved, 200 for a form just shown."""
    return 422 if form.is_submitted() else 200


def attach_error(form: FlaskForm, refusal: RuleViolation) -> None:
    """Show a service's refusal next to its field, or at the top of the form."""
    field = form._fields.get(refusal.field) if refusal.field else None
    if field is not None:
        field.errors = [*field.errors, refusal.message]
    else:
        form.form_errors.append(refusal.message)


def forbidden(message):
    """403 with a message that says why."""
    return render("errors/error.html", "content", status=403, code=403, message=message)
