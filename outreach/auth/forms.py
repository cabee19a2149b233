"""Forms of the auth area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from outreach.fields import ChoiceField, max_length, options
from outreach.vocabulary import LANGUAGES


class LoginForm(FlaskForm):
    """Log in with username and password."""

    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter your username.")), max_length(60)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), max_length(200)],
        render_kw={"autocomplete": "current-password"},
    )


class SettingsForm(FlaskForm):
    """The user's own settings: the UI language."""

    locale = ChoiceField(_l("Language"), choices=options(LANGUAGES.items()))


class LanguageForm(FlaskForm):
    """A visitor's language on the login page (a button for each other language)."""

    locale = ChoiceField(
        _l("Language"),
        choices=options(LANGUAGES.items()),
        validators=[DataRequired(message=_l("Choose one of the listed languages."))],
    )


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Enter the code.")), max_length(20)],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "characters",
            "spellcheck": "false",
        },
    )
