"""Forms of the admin area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from outreach.auth.models import ProviderKind, Role
from outreach.editing import Edits
from outreach.fields import (
    CheckboxField,
    ChoiceField,
    MultiCheckboxField,
    RadioChoiceField,
    WholeNumberField,
    max_length,
    member_of,
    optional_int,
    options,
)
from outreach.org.models import PlaceKind, TeamKind
from outreach.submissions import EXPIRED, Once
from outreach.vocabulary import (
    KOMMUN_ROLES,
    PLACE_KIND_LABELS,
    ROLE_LABELS,
    TEAM_KIND_LABELS,
    UNIT_RECIPIENTS,
    Recipient,
    SignGroup,
)


class UserDetailsForm(FlaskForm):
    """A user's name, email, role, teams, and whether the account is in use."""

    display_name = StringField(
        _l("Full name"),
        validators=[InputRequired(_l("Enter the full name.")), max_length(120)],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address.")),
            max_length(254),
        ],
    )
    role = ChoiceField(
        _l("Role"),
        choices=options((role, ROLE_LABELS[role]) for role in KOMMUN_ROLES),
        coerce=member_of(Role),
    )
    teams = MultiCheckboxField(_l("Teams"), coerce=optional_int)
    is_enabled = CheckboxField(_l("The account is in use (untick to stop every login)"))


class UserEditForm(Edits, UserDetailsForm):
    """Change a user (a change made meanwhile by another admin is shown, never overwritten)."""


class UserForm(Once, UserDetailsForm):
    """Create a user (in use from the start)."""

    is_enabled = None  # not a field of this form

    username = StringField(
        _l("Username"),
        validators=[InputRequired(_l("A username is required.")), max_length(60)],
        render_kw={"autocomplete": "off", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password (at least 12 characters)"),
        validators=[InputRequired(_l("Enter a password.")), max_length(200)],
        render_kw={"autocomplete": "new-password"},
    )


class TeamForm(Once, FlaskForm):
    """Create a team."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter a name.")), max_length(120)],
    )
    kind = ChoiceField(
        _l("Kind"), choices=options(TEAM_KIND_LABELS.items()), coerce=member_of(TeamKind)
    )


#: The longest first-contact time a unit can set: a week.
MOST_HOURS = 168


def _hours_field(label):
    return WholeNumberField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=1, max=MOST_HOURS, message=_l("Enter a number of hours from 1 to 168.")
            ),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": MOST_HOURS},
    )


class TeamEditForm(Edits, FlaskForm):
    """Change a team's name."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter a name.")), max_length(120)],
    )


class UnitEditForm(TeamEditForm):
    """Change a receiving unit: its name, whom consent must cover for a handoff to it, and
    its first-contact times."""

    recipient = ChoiceField(
        _l("Consent must cover sharing with"),
        choices=options(UNIT_RECIPIENTS),
        coerce=member_of(Recipient),
        description=_l(
            "A handoff to the unit needs a consent that covers this, or a recorded legal basis."
        ),
    )
    first_contact_hours = _hours_field(_l("First contact within (hours)"))
    urgent_first_contact_hours = _hours_field(_l("First contact when urgent within (hours)"))


class KommunSettingsForm(Edits, FlaskForm):
    """The kommun's own settings."""

    retention_years = WholeNumberField(
        _l("Years without activity before a youth's record is deleted (gallring)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=30, message=_l("Enter a number of years from 1 to 30.")),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": 30},
    )


class AreaForm(Once, FlaskForm):
    """Create an area."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter a name.")), max_length(120)],
    )


class PlaceForm(Once, FlaskForm):
    """Create a place in an area."""

    area = ChoiceField(_l("Area"), coerce=optional_int)
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter a name.")), max_length(120)],
    )
    kind = ChoiceField(
        _l("Kind of place"), choices=options(PLACE_KIND_LABELS.items()), coerce=member_of(PlaceKind)
    )


class WarningSignForm(Once, FlaskForm):
    """Add a warning sign to the catalogue."""

    group = ChoiceField(
        _l("Group"), choices=options(SignGroup.pairs()), coerce=member_of(SignGroup)
    )
    label = StringField(
        _l("Warning sign"),
        validators=[InputRequired(_l("Enter a name.")), max_length(200)],
    )


def _claim_field(label, default: str):
    return StringField(
        label,
        default=default,
        validators=[
            InputRequired(_l("Name the claim.")),
            Regexp(
                r"^[\w:/.#-]{1,255}\Z", message=_l("A claim's name: letters, digits, : / . - _")
            ),
        ],
    )


class IdentityProviderForm(FlaskForm):
    """The kommun's identity provider: OpenID Connect (Entra ID, ADFS …) or SAML 2.0 (ADFS,
    a SITHS or Freja eID federation)."""

    kind = RadioChoiceField(
        _l("Protocol"),
        choices=options([("oidc", _l("OpenID Connect")), ("saml", _l("SAML 2.0"))]),
        coerce=member_of(ProviderKind),
        default=ProviderKind.OIDC,
    )
    display_name = StringField(
        _l("Name on the login button (“Log in with …”)"),
        validators=[InputRequired(_l("Enter a name.")), max_length(120)],
    )
    issuer = StringField(
        _l("Issuer"),
        description=_l(
            "The provider's address, whose discovery document is at "
            "/.well-known/openid-configuration (Entra ID: "
            "https://login.microsoftonline.com/TENANT-ID/v2.0)."
        ),
        validators=[
            Optional(),
            Regexp(r"^https?://[^\s]+\Z", message=_l("Enter an address that starts with https://")),
            max_length(500),
        ],
    )
    client_id = StringField(_l("Client id"), validators=[Optional(), max_length(255)])
    client_secret = PasswordField(
        _l("Client secret"),
        description=_l("Stored encrypted. Leave empty to keep the one saved."),
        validators=[Optional(), max_length(500)],
        render_kw={"autocomplete": "new-password"},
    )
    idp_metadata = TextAreaField(
        _l("SAML: the provider's metadata (XML)"),
        description=_l("Paste the provider's federation metadata (ADFS: FederationMetadata.xml)."),
        validators=[Optional(), max_length(200_000)],
    )
    subject_claim = _claim_field(
        _l("Claim (or SAML attribute, or NameID) that identifies a person for good"), "sub"
    )
    username_claim = _claim_field(_l("Claim that becomes the username"), "preferred_username")
    groups_claim = _claim_field(_l("Claim with the person's groups or app roles"), "groups")
    mfa_values = StringField(
        _l("Values of amr or acr that vouch for a login with several factors"),
        default="mfa",
        description=_l(
            "Separated by spaces. With one of them, Outreach asks for no code of its own."
        ),
        validators=[Optional(), max_length(1000)],
    )
    local_login = CheckboxField(
        _l("Staff may also log in with a password of Outreach's (admins always may)"),
        default=True,
    )
    is_enabled = CheckboxField(_l("The login through the provider is in use"), default=True)


class GroupMappingForm(Once, FlaskForm):
    """A group at the provider that gives a role, and a team."""

    group = StringField(
        _l("Group or app role at the provider"),
        validators=[InputRequired(_l("Enter the group.")), max_length(255)],
    )
    role = ChoiceField(
        _l("Role in Outreach"),
        choices=options((role, ROLE_LABELS[role]) for role in KOMMUN_ROLES),
        coerce=member_of(Role),
    )
    team = ChoiceField(_l("Team"), coerce=optional_int, validators=[Optional()])


class RemoveMappingForm(FlaskForm):
    """Which group to remove."""

    mapping = HiddenField(
        validators=[InputRequired(EXPIRED), Regexp(r"^\d{1,9}\Z", message=EXPIRED)]
    )
