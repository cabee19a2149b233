"""The statistics pages' choice of what to count and over which period (read from the
address)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import Optional

from outreach.clock import today
from outreach.fields import CalendarDateField, ChoiceField, member_of, options
from outreach.stats.periods import StatsPeriod, period_for
from outreach.stats.tables import NATIONAL_SECTIONS, TEAM_SECTIONS
from outreach.vocabulary import Period

#: The team choice that means every team the user follows.
ALL_TEAMS = "all"
#: The kommun choice that means every kommun, summed.
ALL_KOMMUNER = "all"


def section_field(sections) -> ChoiceField:
    """Which part of the page to show (a tab), the first unless another is chosen."""
    return ChoiceField(
        _l("Part of the page"),
        choices=options((section.slug, section.title) for section in sections),
        default=sections[0].slug,
        validators=[Optional()],
    )


class PeriodForm(FlaskForm):
    """Which period to count: a week, month or year by a day in it, or days of one's own."""

    class Meta:
        csrf = False  # a GET form: nothing changes

    period = ChoiceField(
        _l("Period"),
        choices=options(Period.pairs()),
        coerce=member_of(Period),
        default=Period.MONTH,
        validators=[Optional()],
    )
    day = CalendarDateField(_l("A day in the period"))
    start = CalendarDateField(_l("From"))
    end = CalendarDateField(_l("To"))

    def chosen_period(self) -> StatsPeriod:
        """The period the form names (a RuleViolation at its field when it names none)."""
        return period_for(
            self.period.data or Period.MONTH,
            self.day.data or today(),
            self.start.data,
            self.end.data,
        )

    def address(self, **changes) -> dict:
        """The form's choices as the page's query arguments, with some changed."""
        args = {
            field.name: field.data.isoformat() if hasattr(field.data, "isoformat") else field.data
            for field in self
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value}


class StatisticsForm(PeriodForm):
    """Which teams and which period to count."""

    team = ChoiceField(_l("Team"), validators=[Optional()])
    show = section_field(TEAM_SECTIONS)


class NationalForm(PeriodForm):
    """Which kommun (or every kommun) and which period to count."""

    kommun = ChoiceField(_l("Kommun"), validators=[Optional()])
    show = section_field(NATIONAL_SECTIONS)
