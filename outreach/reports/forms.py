"""Forms of the report of concern."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired

from outreach.editing import Edits
from outreach.fields import (
    CheckboxField,
    MultiCheckboxField,
    max_length,
    member_of,
    no_identifiers,
    options,
)
from outreach.submissions import Once
from outreach.vocabulary import ConcernKind


def _text(label, required=None, maximum=4000):
    validators = [max_length(maximum), no_identifiers()]
    if required:
        validators.insert(0, InputRequired(required))
    return TextAreaField(label, validators=validators)


class ReportForm(FlaskForm):
    """Write (or change) a report of concern about one child."""

    kinds = MultiCheckboxField(
        _l("The concern is about"),
        choices=options(ConcernKind.pairs()),
        coerce=member_of(ConcernKind),
    )
    concern = _text(
        _l("The concrete concern, with examples"),
        _l("Describe the concrete concern, with examples."),
    )
    child_said = _text(_l("What the child said"))
    reporter_saw = _text(_l("What you saw yourself"))
    relation = _text(
        _l("Your relation to the child"), _l("Say what your relation to the child is."), 500
    )
    earlier_concern = _text(_l("Earlier concern, if known"))
    family_informed = CheckboxField(_l("The family has been told about the report"))


class NewReportForm(Once, ReportForm):
    """Write a new report of concern (sent twice, it is still one report)."""


class ReportEditForm(Edits, ReportForm):
    """Change a draft report (a change made meanwhile by someone else is shown, never
    overwritten)."""


class SendForm(FlaskForm):
    """Record that the report was sent."""
