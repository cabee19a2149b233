"""Forms of risk marking."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Optional

from outreach.fields import (
    MultiCheckboxField,
    RadioChoiceField,
    max_length,
    member_of,
    no_identifiers,
    optional_int,
    options,
)
from outreach.submissions import Once
from outreach.vocabulary import RiskLevel


class RiskMarkingForm(Once, FlaskForm):
    """Mark risk: the warning signs seen, a level, a comment and when to look again."""

    signs = MultiCheckboxField(_l("Warning signs"), coerce=optional_int)
    level = RadioChoiceField(
        _l("Level"),
        choices=options(RiskLevel.pairs()),
        coerce=member_of(RiskLevel),
        validators=[InputRequired(_l("Choose a level."))],
    )
    comment = TextAreaField(_l("Comment"), validators=[max_length(2000), no_identifiers()])
    review_on = DateField(
        _l("Review date"),
        validators=[Optional()],
        description=_l("Leave empty for 90 days from today."),
    )


class WithdrawalForm(Once, FlaskForm):
    """Withdraw a marking, with the reason (sent twice, it is still one withdrawal)."""

    reason = TextAreaField(
        _l("Reason for withdrawing"),
        validators=[
            InputRequired(_l("Give a reason for withdrawing the marking.")),
            max_length(2000),
            no_identifiers(),
        ],
    )
