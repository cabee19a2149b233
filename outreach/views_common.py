"""Small helpers that every area's views share."""

from flask_wtf import FlaskForm

from outreach.errors import RuleViolation
from outreach.htmx import render


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
