"""Forms of the review area: the list's filters (in the address) and the sign-off."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional, ValidationError

from outreach.fields import CalendarDateField, max_length, optional_int, options
from outreach.review.services import MAX_COMMENT
from outreach.submissions import Once

NEWEST, OLDEST = "newest", "oldest"


def optional_code(value):
    """A vocabulary code, or None for the empty choice."""
    return value or None


class ReviewFilterForm(FlaskForm):
    """What to show of the team's log. Read from the address, so a view can be bookmarked."""

    class Meta:
        csrf = False  # a GET form: nothing changes

    date_from = CalendarDateField(_l("From"))
    date_to = CalendarDateField(_l("To"))
    team = SelectField(_l("Team"), coerce=optional_int, validators=[Optional()])
    area = SelectField(_l("Area"), coerce=optional_int, validators=[Optional()])
    place = SelectField(_l("Place"), coerce=optional_int, validators=[Optional()])
    worker = SelectField(_l("Worker"), coerce=optional_int, validators=[Optional()])
    topic = SelectField(_l("Topic"), coerce=optional_code, validators=[Optional()])
    kind = SelectField(_l("Kind"), coerce=optional_code, validators=[Optional()])
    risk = SelectField(_l("Risk level"), coerce=optional_code, validators=[Optional()])
    status = SelectField(_l("Review"), coerce=optional_code, validators=[Optional()])
    order = SelectField(
        _l("Order"),
        choices=options([(NEWEST, _l("Newest first")), (OLDEST, _l("Oldest first"))]),
        default=NEWEST,
        validators=[Optional()],
    )
    after = HiddenField()

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class SignOffForm(Once, FlaskForm):
    """Mark a shift as reviewed (sent twice, it is one review)."""


class ReturnForm(Once, FlaskForm):
    """Return a shift to its workers with a comment (sent twice, it is one return)."""

    comment = TextAreaField(
        _l("What should the workers look at?"), validators=[max_length(MAX_COMMENT)]
    )


class ResubmitForm(Once, FlaskForm):
    """Answer a returned shift and send it back for review (sent twice, it is one answer)."""

    comment = TextAreaField(_l("Your answer (optional)"), validators=[max_length(MAX_COMMENT)])
