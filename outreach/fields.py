"""Form fields shared by several areas."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from outreach import identifiers
from outreach.clock import from_local

NOT_OFFERED = _l("Choose from the listed options.")
NOT_A_TICK = _l("Tick the box or leave it empty.")


def _blank(value) -> bool:
    return isinstance(value, str) and not value.strip()


def as_sent(value) -> str:
    """A choice's value as a page sends it: a vocabulary's member by its code, a record by
    its number, no choice as the empty one."""
    return "" if value is None else str(value)


class _OfferedOnly:
    """Mixed into a choice field: what is sent must be one of the values the field offers,
    exactly as offered (not padded, not in other letters); a blank or whitespace-only value is
    no choice, which the field's Optional() lets through and its InputRequired() refuses with
    its own message. A value becomes what the field's coerce makes of it (a vocabulary's
    member with member_of, a record's id with optional_int), and only an offered one is read:
    the form does not validate otherwise."""

    def process_formdata(self, valuelist):
        if self._multiple:  # the blanks among the boxes ticked are none
            self.raw_data = [value for value in valuelist if not _blank(value)]
        else:  # the first value, as WTForms reads it; a blank is the empty choice
            self.raw_data = ["" if _blank(value) else value for value in valuelist[:1]]
        super().process_formdata(self.raw_data)

    @property
    def _multiple(self) -> bool:
        return isinstance(self, SelectMultipleField)

    def pre_validate(self, form):
        if self.choices is None:
            raise TypeError(f"{self.name}: the view gave the field no choices")
        offered = {as_sent(value) for value, *_rest in self.iter_choices()}
        if not self.raw_data:  # not sent (or no request data): what it holds, its default
            sent = [as_sent(v) for v in ((self.data or []) if self._multiple else [self.data])]
        else:
            sent = self.raw_data if self._multiple else self.raw_data[:1]
        chosen = [value for value in sent if value != ""]
        if any(value not in offered for value in chosen):
            raise ValidationError(NOT_OFFERED)
        if not chosen and not self._multiple and "" not in offered and not self._may_be_empty():
            raise ValidationError(NOT_OFFERED)

    def _may_be_empty(self) -> bool:
        """Whether a validator decides about no choice (lets it through, or refuses it with
        its own message)."""
        deciding = (Optional, InputRequired, DataRequired)
        return any(isinstance(validator, deciding) for validator in self.validators)


class ChoiceField(_OfferedOnly, SelectField):
    """One of a list of choices (a select)."""


class RadioChoiceField(_OfferedOnly, RadioField):
    """One of a few choices shown as radio buttons (chips in the UI)."""


class MultiCheckboxField(_OfferedOnly, SelectMultipleField):
    """Several choices shown as checkboxes (chips in the UI)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CheckboxField(BooleanField):
    """A box to tick: ticked when the box's own value is sent, empty when nothing (or only
    whitespace) is; any other value is refused, not taken as a tick."""

    TICKED = "y"

    def process_formdata(self, valuelist):
        self.raw_data = [value for value in valuelist if not _blank(value)]
        self.data = bool(self.raw_data)

    def pre_validate(self, form):
        if any(value != self.TICKED for value in self.raw_data or []):
            raise ValidationError(NOT_A_TICK)

    def _value(self):
        return self.TICKED  # the box's own value, never a refused one sent back


def member_of(vocabulary):
    """A choice field's coerce for a vocabulary (outreach.vocabulary): the member whose code
    was chosen, None for the empty choice. A code that is not the vocabulary's is None here
    too; the field refuses it before anyone reads the value."""

    def coerce(value):
        if value is None or isinstance(value, vocabulary):
            return value
        try:
            return vocabulary(value)
        except ValueError:
            return None

    return coerce


#: The years a time typed into a form may fall in (far outside is a typo, or an attack).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _check_year(value) -> None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _l("Enter a time between the years %(a)d and %(b)d.", a=EARLIEST_YEAR, b=LATEST_YEAR)
        )


class LocalDateTimeField(DateTimeLocalField):
    """A Stockholm wall-clock date and time in the form, aware UTC in `utc`."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators=validators or [Optional()],
            format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
            **kwargs,
        )

    def pre_validate(self, form):
        _check_year(self.data)

    @property
    def utc(self):
        return from_local(self.data) if self.data else None


class CalendarDateField(DateField):
    """An optional date on the Stockholm calendar, within the years a typed date may fall in."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators=validators or [Optional()],
            invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
            **kwargs,
        )

    def pre_validate(self, form):
        _check_year(self.data)


class WholeNumberField(IntegerField):
    """A whole number typed into a form. One of more than nine digits is refused as not a
    number: no form needs one, and WTForms' NumberRange fails on one past a float's range
    (OverflowError) instead of refusing it."""

    MOST_DIGITS = 9

    def process_formdata(self, valuelist):
        typed = valuelist[0] if valuelist else None
        if isinstance(typed, str) and len(typed.strip().lstrip("+-")) > self.MOST_DIGITS:
            valuelist = ["-"]  # refused as any other text that is not a number, same message
        super().process_formdata(valuelist)


def count_field(label, maximum: int, minimum: int = 0, required_message=None) -> IntegerField:
    """A whole-number count with a range message; optional unless a required_message is given."""
    return WholeNumberField(
        label,
        default=minimum,
        validators=[
            InputRequired(required_message) if required_message else Optional(),
            NumberRange(
                min=minimum,
                max=maximum,
                message=_l("Enter a number from %(min)s to %(max)s."),
            ),
        ],
        render_kw={"inputmode": "numeric", "min": minimum, "max": maximum},
    )


#: What a choice that is not a number becomes: no record has this id, so it is "not a valid
#: choice" with the usual message instead of WTForms' "could not coerce".
NOT_A_CHOICE = -1


def optional_int(value):
    """Coerce a choice's value to int, with the empty choice as None."""
    if value is None or isinstance(value, int):
        return value
    if value in ("", "None"):
        return None
    try:
        return int(value)
    except ValueError:
        return NOT_A_CHOICE


def options(pairs) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


TOO_LONG = _l("At most %(max)d characters.")


def max_length(maximum: int) -> Length:
    """A length limit with the one message every form uses."""
    return Length(max=maximum, message=TOO_LONG)


def no_identifiers():
    """A validator for free text about a youth: no personnummer, phone number or e-mail
    address in it (outreach.identifiers), and the message says which was found. A personnummer
    belongs in its own field, encrypted at rest, never in text a database dump shows as it
    is."""

    def check(_form, field) -> None:
        why = identifiers.refusal(field.data)
        if why:
            raise ValidationError(why)

    return check


def picked(records, chosen):
    """The record offered whose id was chosen (or the records, for a list of ids); None (or
    none) when nothing was: the form offered these records, and checked the choice."""
    if isinstance(chosen, list | tuple | set):
        wanted = set(chosen)
        return [record for record in records if record.id in wanted]
    return next((record for record in records if record.id == chosen), None)
