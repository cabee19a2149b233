"""Forms of the operator's page: a new kommun, and its first system administrator."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import InputRequired, Optional, Regexp

from outreach.fields import ChoiceField, max_length, optional_int
from outreach.submissions import Once


class KommunForm(Once, FlaskForm):
    """Create a kommun."""

    name = StringField(
        _l("Name of the kommun"),
        validators=[InputRequired(_l("Enter a name.")), max_length(120)],
    )
    code = StringField(
        _l("Kommun code (four digits)"),
        validators=[
            InputRequired(_l("The kommun code is four digits (1280 for Malmö).")),
            max_length(4),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class FirstAdminForm(Once, FlaskForm):
    """Create a kommun's system administrator (who then makes the kommun's other users)."""

    kommun = ChoiceField(_l("Kommun"), coerce=optional_int)
    username = StringField(
        _l("Username"),
        validators=[InputRequired(_l("A username is required.")), max_length(60)],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    display_name = StringField(
        _l("Full name"), validators=[InputRequired(_l("Enter the full name.")), max_length(120)]
    )
    email = EmailField(
        _l("Email"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address.")),
            max_length(254),
        ],
    )
    password = PasswordField(
        _l("Password (at least 12 characters)"),
        validators=[InputRequired(_l("Enter a password.")), max_length(200)],
        render_kw={"autocomplete": "new-password"},
    )
