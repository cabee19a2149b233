"""Form fields shared by several areas."""

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from outreach.clock import from_local


class MultiCheckboxField(SelectMultipleField):
    """Several choices shown as checkboxes (chips in the UI)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LocalDateTimeField(DateTimeLocalField):
    """A Stockholm wall-clock date and time in the form, aware UTC in `utc`."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators=validators or [Optional()],
            format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
            **kwargs,
        )

    @property
    def utc(self):
        return from_local(self.data) if self.data else None


def count_field(label, maximum: int, minimum: int = 0, required_message=None) -> IntegerField:
    """A whole-number count with a range message; optional unless a required_message is given."""
    return IntegerField(
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


def optional_int(value):
    """Coerce a select's value to int, with the empty choice as None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def options(pairs) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
