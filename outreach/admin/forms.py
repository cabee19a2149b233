"""Forms of the admin area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from outreach.fields import MultiCheckboxField, optional_int, options
from outreach.vocabulary import PLACE_KIND_LABELS, ROLE_LABELS, TEAM_KIND_LABELS, SignGroup

TOO_LONG = _l("At most %(max)d characters.")


class UserForm(FlaskForm):
    """Create a user."""

    username = StringField(
        _l("Username"),
        validators=[InputRequired(_l("A username is required.")), Length(max=60, message=TOO_LONG)],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    display_name = StringField(
        _l("Full name"),
        validators=[InputRequired(_l("Enter the full name.")), Length(max=120, message=TOO_LONG)],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address.")),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Role"), choices=options(ROLE_LABELS.items()))
    teams = MultiCheckboxField(_l("Teams"), coerce=optional_int)
    password = PasswordField(
        _l("Password (at least 12 characters)"),
        validators=[InputRequired(_l("Enter a password.")), Length(max=200, message=TOO_LONG)],
        render_kw={"autocomplete": "new-password"},
    )


class TeamForm(FlaskForm):
    """Create a team."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter a name.")), Length(max=120, message=TOO_LONG)],
    )
    kind = SelectField(_l("Kind"), choices=options(TEAM_KIND_LABELS.items()))


class AreaForm(FlaskForm):
    """Create an area."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter a name.")), Length(max=120, message=TOO_LONG)],
    )


class PlaceForm(FlaskForm):
    """Create a place in an area."""

    area = SelectField(_l("Area"), coerce=optional_int)
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter a name.")), Length(max=120, message=TOO_LONG)],
    )
    kind = SelectField(_l("Kind of place"), choices=options(PLACE_KIND_LABELS.items()))


class WarningSignForm(FlaskForm):
    """Add a warning sign to the catalogue."""

    group = SelectField(_l("Group"), choices=options(SignGroup.pairs()))
    label = StringField(
        _l("Warning sign"),
        validators=[InputRequired(_l("Enter a name.")), Length(max=200, message=TOO_LONG)],
    )
