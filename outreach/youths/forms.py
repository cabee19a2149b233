"""Forms of the youth registry."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from outreach.editing import Edits
from outreach.fields import (
    CheckboxField,
    ChoiceField,
    LocalDateTimeField,
    MultiCheckboxField,
    RadioChoiceField,
    WholeNumberField,
    max_length,
    member_of,
    no_identifiers,
    optional_int,
    options,
)
from outreach.submissions import Once
from outreach.vocabulary import Gender, LegalBasis

TEXT_MAX = 4000


def _text(label, maximum=120, free=True, **kwargs):
    """A short text field; `free` text may hold no personnummer (phone numbers and the
    personnummer field itself are not free text)."""
    validators = [max_length(maximum), *([no_identifiers()] if free else [])]
    return StringField(label, validators=validators, **kwargs)


class YouthForm(FlaskForm):
    """Register a youth, or add what has become known about them."""

    team = ChoiceField(_l("Team"), coerce=optional_int, validators=[Optional()])
    alias = StringField(
        _l("Alias"),
        validators=[
            InputRequired(_l("An alias is required.")),
            max_length(120),
            no_identifiers(),
        ],
        description=_l('For example "boy in a red cap at Värnhemstorget".'),
    )
    legal_basis = RadioChoiceField(
        _l("Purpose and legal basis"),
        choices=options(LegalBasis.pairs()),
        coerce=member_of(LegalBasis),
        validators=[
            InputRequired(_l("State the purpose and legal basis for registering the youth."))
        ],
    )
    name = _text(_l("Name"), render_kw={"autocomplete": "off"})
    birth_year = WholeNumberField(
        _l("Birth year"),
        validators=[
            Optional(),
            NumberRange(min=1900, max=2200, message=_l("Enter a year such as 2009.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    gender = ChoiceField(
        _l("Gender"),
        choices=options([("", _l("Not known")), *Gender.pairs()]),
        coerce=member_of(Gender),
        validators=[Optional()],
    )
    personnummer = _text(
        _l("Personal identity number"),
        maximum=20,
        free=False,
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        description=_l("YYYYMMDD-NNNN"),
    )
    home_area = ChoiceField(_l("Home area"), coerce=optional_int, validators=[Optional()])
    school = _text(_l("School"))
    guardian1_name = _text(_l("Guardian 1"))
    guardian1_phone = _text(
        _l("Phone, guardian 1"), maximum=40, free=False, render_kw={"inputmode": "tel"}
    )
    guardian2_name = _text(_l("Guardian 2"))
    guardian2_phone = _text(
        _l("Phone, guardian 2"), maximum=40, free=False, render_kw={"inputmode": "tel"}
    )
    interpreter_language = _text(
        _l("Interpreter needed for (language)"),
        maximum=60,
        description=_l("Leave empty when no interpreter is needed."),
    )
    protected_identity = CheckboxField(_l("Protected identity"))
    #: At registration, likely duplicates are shown first; registering anyway is a choice
    #: made with them in view.
    not_a_duplicate = CheckboxField(_l("None of these is the same person: register a new youth"))


class NewYouthForm(Once, YouthForm):
    """Register a youth (sent twice, it is still one youth)."""


class YouthEditForm(Edits, YouthForm):
    """Change what is known of a youth (a change made meanwhile by someone else is shown,
    never overwritten)."""


class CorrectionForm(Once, FlaskForm):
    """Append a correction to an entry: facts and assessment, kept apart."""

    facts = TextAreaField(
        _l("Facts: what was seen and said"),
        validators=[
            InputRequired(_l("Describe what was seen and said.")),
            max_length(TEXT_MAX),
            no_identifiers(),
        ],
    )
    assessment = TextAreaField(
        _l("Your assessment"), validators=[max_length(TEXT_MAX), no_identifiers()]
    )


class IdentifiedContactForm(CorrectionForm):
    """Record a contact with one or more named youths."""

    youths = MultiCheckboxField(_l("Youths"))
    place = ChoiceField(_l("Place"), coerce=optional_int, validators=[Optional()])
    occurred_at = LocalDateTimeField(_l("Time (if not now)"))


class GrantAccessForm(Once, FlaskForm):
    """Let a field worker of the team see a youth with protected identity."""

    user = ChoiceField(_l("Field worker"), coerce=optional_int)


class MergeForm(FlaskForm):
    """Merge a duplicate record into this one (a team lead)."""

    duplicate = HiddenField()
    confirm = CheckboxField(
        _l("They are the same person: merge the records."),
        validators=[InputRequired(_l("Tick the box to confirm."))],
    )
