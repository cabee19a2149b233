"""Forms of the shifts area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from outreach.editing import Edits
from outreach.fields import (
    ChoiceField,
    LocalDateTimeField,
    MultiCheckboxField,
    RadioChoiceField,
    count_field,
    max_length,
    member_of,
    optional_int,
    options,
)
from outreach.shifts.services import MAX_TOKEN, MAX_YOUTHS_PER_CONTACT
from outreach.submissions import Once
from outreach.vocabulary import GENDER_PLURAL, Action, AgeBand, Gender, Topic

NOTE_MAX = 1000


class StartShiftForm(Once, FlaskForm):
    """Start a fältpass."""

    team = ChoiceField(
        _l("Team"), coerce=optional_int, validators=[InputRequired(_l("Choose a team."))]
    )
    area = ChoiceField(
        _l("Area"), coerce=optional_int, validators=[DataRequired(_l("Choose an area."))]
    )
    colleagues = MultiCheckboxField(_l("Out together with"), coerce=optional_int)
    started_at = LocalDateTimeField(_l("Start time"))
    situation_note = TextAreaField(
        _l("Situation note (no names)"), validators=[max_length(NOTE_MAX)]
    )


class SituationNoteForm(Edits, FlaskForm):
    """Write the shift's situation note, or end the shift with it."""

    situation_note = TextAreaField(
        _l("Situation note (no names)"), validators=[max_length(NOTE_MAX)]
    )


class EndShiftForm(FlaskForm):
    """End the shift (the note is saved with its own form, so ending never overwrites it)."""


class AnonymousContactForm(FlaskForm):
    """Log an anonymous contact: a tally with no personal data."""

    place = RadioChoiceField(
        _l("Place"), coerce=optional_int, validators=[InputRequired(_l("Choose a place."))]
    )
    youth_count = count_field(
        _l("Number of youths"),
        MAX_YOUTHS_PER_CONTACT,
        minimum=1,
        required_message=_l("Enter the number of youths."),
    )
    topics = MultiCheckboxField(
        _l("Topics"), choices=options(Topic.pairs()), coerce=member_of(Topic)
    )
    actions = MultiCheckboxField(
        _l("Actions"), choices=options(Action.pairs()), coerce=member_of(Action)
    )
    note = TextAreaField(
        _l("Note (optional, no names or personal identity numbers)"),
        validators=[max_length(NOTE_MAX)],
    )
    occurred_at = LocalDateTimeField(_l("Time (if not now)"))
    #: One per form shown (or per contact queued on the tablet): a resent form logs once.
    token = HiddenField(validators=[max_length(MAX_TOKEN)])

    @property
    def gender_fields(self):
        return [(gender, self[f"gender_{gender}"]) for gender in Gender]

    @property
    def age_fields(self):
        return [(band, self[f"age_{band}"]) for band in AgeBand]


for _gender in Gender:
    setattr(
        AnonymousContactForm,
        f"gender_{_gender}",
        count_field(GENDER_PLURAL[_gender], MAX_YOUTHS_PER_CONTACT),
    )
for _band in AgeBand:
    setattr(AnonymousContactForm, f"age_{_band}", count_field(_band.label, MAX_YOUTHS_PER_CONTACT))
