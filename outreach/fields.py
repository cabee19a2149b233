"""Form fields shared by several areas."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from outreach.clock import from_local
from outreach.personnummer import contains_personnummer_shape


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes (chips in the UI)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        allowed = {self.coerce(value) for value, *_rest in self.iter_choices()}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Choose from the listed options."))


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


PERSONNUMMER_IN_TEXT = _l(
    "This looks like a personal identity number. Write it only in the youth's own field for "
    "it, where it is stored encrypted."
)


def no_personnummer():
    """A validator for free text about a youth: nothing shaped like a personnummer (it belongs
    in its own field, encrypted at rest, never in text a database dump shows as it is)."""

    def check(_form, field) -> None:
        if field.data and contains_personnummer_shape(field.data):
            raise ValidationError(PERSONNUMMER_IN_TEXT)

    return check


def picked(records, chosen):
    """The record offered whose id was chosen (or the records, for a list of ids); None (or
    none) when nothing was: the form offered these records, and checked the choice."""
    if isinstance(chosen, list | tuple | set):
        wanted = set(chosen)
        return [record for record in records if record.id in wanted]
    return next((record for record in records if record.id == chosen), None)
