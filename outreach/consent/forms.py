"""Forms of consent."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from outreach.fields import (
    MultiCheckboxField,
    RadioChoiceField,
    max_length,
    member_of,
    no_identifiers,
    options,
)
from outreach.submissions import Once
from outreach.vocabulary import ConsentForm, ConsentParty, Recipient


class ConsentRecordForm(Once, FlaskForm):
    """Record one party's consent."""

    given_by = RadioChoiceField(
        _l("Who consented"),
        choices=options(ConsentParty.pairs()),
        coerce=member_of(ConsentParty),
        validators=[InputRequired(_l("Choose who gave the consent."))],
    )
    recipients = MultiCheckboxField(
        _l("Sharing with"), choices=options(Recipient.pairs()), coerce=member_of(Recipient)
    )
    other_recipient = StringField(
        _l("Other recipient"), validators=[max_length(120), no_identifiers()]
    )
    purpose = TextAreaField(
        _l("Purpose"),
        validators=[
            InputRequired(_l("State the purpose of the consent.")),
            max_length(2000),
            no_identifiers(),
        ],
    )
    # Not named "form": a field of that name would hide the <form> element's own .form in the
    # browser's DOM, and htmx could not read the form.
    given_as = RadioChoiceField(
        _l("Given"),
        choices=options(ConsentForm.pairs()),
        coerce=member_of(ConsentForm),
        validators=[InputRequired(_l("Choose whether the consent was oral or written."))],
    )
    given_on = DateField(_l("Date given"), validators=[Optional()])
    expires_on = DateField(
        _l("Valid until"), validators=[Optional()], description=_l("Leave empty if no end date.")
    )


class ConsentWithdrawalForm(Once, FlaskForm):
    """Record that a consent was withdrawn (sent twice, it is still one withdrawal)."""

    withdrawn_on = DateField(_l("Withdrawn on"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            InputRequired(_l("Give the reason for the withdrawal.")),
            max_length(2000),
            no_identifiers(),
        ],
    )
