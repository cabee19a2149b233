"""The statistics page's choice of teams and period (read from the address)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional

from outreach.fields import CalendarDateField, options
from outreach.vocabulary import Period

#: The team choice that means every team the user follows.
ALL_TEAMS = "all"


class StatisticsForm(FlaskForm):
    """Which teams and which period to count."""

    class Meta:
        csrf = False  # a GET form: nothing changes

    team = SelectField(_l("Team"), validators=[Optional()])
    period = SelectField(
        _l("Period"),
        choices=options(Period.pairs()),
        default=Period.MONTH.value,
        validators=[Optional()],
    )
    day = CalendarDateField(_l("A day in the period"))
    start = CalendarDateField(_l("From"))
    end = CalendarDateField(_l("To"))
