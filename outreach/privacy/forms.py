"""Forms of the data-protection area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from outreach.fields import (
    CalendarDateField,
    CheckboxField,
    ChoiceField,
    RadioChoiceField,
    max_length,
    member_of,
    no_identifiers,
    optional_int,
    options,
)
from outreach.privacy.services import MAX_TEXT
from outreach.submissions import Once
from outreach.vocabulary import Requester


def _text_area(label, required: str | None = None, **kwargs) -> TextAreaField:
    validators = [max_length(MAX_TEXT), no_identifiers()]
    if required:
        validators.insert(0, InputRequired(required))
    return TextAreaField(label, validators=validators, **kwargs)


class AccessLogFilterForm(FlaskForm):
    """What part of the access log to show. Read from the address."""

    class Meta:
        csrf = False  # a GET form: nothing changes

    date_from = CalendarDateField(_l("From"))
    date_to = CalendarDateField(_l("To"))
    team = ChoiceField(_l("Team"), coerce=optional_int, validators=[Optional()])
    user = ChoiceField(_l("User"), coerce=optional_int, validators=[Optional()])
    flagged = CheckboxField(_l("Only flagged accesses"))
    #: The youth's public id, when the log of one youth is shown.
    ungdom = HiddenField()
    before = HiddenField()

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class AccessReviewForm(Once, FlaskForm):
    """Record a review of the team's access log over a period."""

    team = ChoiceField(_l("Team"), coerce=optional_int, validators=[Optional()])
    period_from = CalendarDateField(_l("Period from"))
    period_to = CalendarDateField(_l("Period to"))
    findings = _text_area(
        _l("What the review found"),
        required=_l("Write what the review found (“nothing to remark” is a finding)."),
        description=_l("Write about accesses, not about youths: no names."),
    )
    follow_up = _text_area(
        _l("Follow-up"), description=_l("Talks held, access changed, reported onwards …")
    )


class LegalHoldForm(Once, FlaskForm):
    """Keep a youth's record past its retention time."""

    reason = _text_area(
        _l("Why must the record be kept?"),
        required=_l("Say why the record must be kept."),
        description=_l("For example a court case or an investigation that needs it."),
    )


class LiftHoldForm(FlaskForm):
    """Lift a legal hold."""


class AccessRequestForm(Once, FlaskForm):
    """Register a request for a register extract."""

    requested_by = RadioChoiceField(
        _l("Who asked?"),
        choices=options(Requester.pairs()),
        coerce=member_of(Requester),
        validators=[InputRequired(_l("Choose who asked for the extract."))],
    )
    received_on = CalendarDateField(
        _l("Received"),
        validators=[InputRequired(_l("Give the day the request was received."))],
        description=_l("The extract is due one month later."),
    )


class DeliveryForm(FlaskForm):
    """Record that an extract was delivered."""

    delivered_on = CalendarDateField(
        _l("Delivered"), validators=[InputRequired(_l("Give the day the extract was delivered."))]
    )
    delivery_note = _text_area(
        _l("How it was delivered"),
        description=_l("Handed over in person, sent by registered post …"),
    )


class RetentionRunForm(FlaskForm):
    """Run gallring now (the admin), after reading what it will do."""

    confirm = CheckboxField(
        _l("I have read the summary: archive and delete what is due now."),
        validators=[InputRequired(_l("Tick the box to confirm."))],
    )
