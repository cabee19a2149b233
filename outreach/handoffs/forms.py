"""Forms of the handoff to a receiving unit."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired

from outreach.fields import (
    CheckboxField,
    MultiCheckboxField,
    RadioChoiceField,
    max_length,
    member_of,
    no_identifiers,
    options,
)
from outreach.handoffs.services import SHAREABLE_FIELDS
from outreach.submissions import Once
from outreach.vocabulary import YOUTH_FIELD_LABELS, HandoffBasis, Urgency

#: The shareable fields as the form names them (the home area is a name, not an id).
FIELD_LABELS = {**YOUTH_FIELD_LABELS, "home_area": YOUTH_FIELD_LABELS["home_area_id"]}


class HandoffForm(Once, FlaskForm):
    """Hand a youth over to a receiving unit (sent twice, it is still one handoff)."""

    #: The kommun's receiving units (set by the view); its VPC unless another is chosen.
    to_unit = RadioChoiceField(_l("Hand over to"))

    reason = TextAreaField(
        _l("Reason for the handoff"),
        validators=[
            InputRequired(_l("Give the reason for the handoff.")),
            max_length(2000),
            no_identifiers(),
        ],
    )
    summary = TextAreaField(
        _l("Summary for the unit (only what it needs)"),
        validators=[
            InputRequired(_l("Write a short summary of what the unit needs to know.")),
            max_length(2000),
            no_identifiers(),
        ],
    )
    urgency = RadioChoiceField(
        _l("Urgency"),
        choices=options(Urgency.pairs()),
        coerce=member_of(Urgency),
        validators=[InputRequired(_l("Choose the urgency."))],
    )
    wants_to_leave_crime = CheckboxField(_l("Wants to leave crime (avhopp)"))
    basis = RadioChoiceField(
        _l("Legal basis"),
        choices=options(HandoffBasis.pairs()),
        coerce=member_of(HandoffBasis),
        validators=[InputRequired(_l("Choose the legal basis."))],
    )
    secrecy_assessed_by = StringField(
        _l("Secrecy assessment made by (for an exception)"),
        validators=[max_length(120), no_identifiers()],
    )
    shared_fields = MultiCheckboxField(
        _l("Youth details the unit needs (the alias is always sent)"),
        choices=options((field, FIELD_LABELS[field]) for field in SHAREABLE_FIELDS),
    )


class StepForm(FlaskForm):
    """Take a step on a handoff, with a note where the step needs one."""

    note = TextAreaField(_l("Note"), validators=[max_length(2000), no_identifiers()])
