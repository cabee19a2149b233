"""Forms of the review area: the list's filters (in the address) and the sign-off."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Optional, ValidationError

from outreach.fields import (
    CalendarDateField,
    ChoiceField,
    max_length,
    member_of,
    optional_int,
    options,
)
from outreach.review.services import MAX_COMMENT
from outreach.submissions import Once
from outreach.vocabulary import ContactKind, ReviewStatus, RiskLevel, Topic

NEWEST, OLDEST = "newest", "oldest"


class ReviewFilterForm(FlaskForm):
    """What to show of the team's log. Read from the address, so a view can be bookmarked."""

    class Meta:
        csrf = False  # a GET form: nothing changes

    date_from = CalendarDateField(_l("From"))
    date_to = CalendarDateField(_l("To"))
    team = ChoiceField(_l("Team"), coerce=optional_int, validators=[Optional()])
    area = ChoiceField(_l("Area"), coerce=optional_int, validators=[Optional()])
    place = ChoiceField(_l("Place"), coerce=optional_int, validators=[Optional()])
    worker = ChoiceField(_l("Worker"), coerce=optional_int, validators=[Optional()])
    topic = ChoiceField(_l("Topic"), coerce=member_of(Topic), validators=[Optional()])
    kind = ChoiceField(_l("Kind"), coerce=member_of(ContactKind), validators=[Optional()])
    risk = ChoiceField(_l("Risk level"), coerce=member_of(RiskLevel), validators=[Optional()])
    status = ChoiceField(_l("Review"), coerce=member_of(ReviewStatus), validators=[Optional()])
    order = ChoiceField(
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
