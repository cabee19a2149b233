"""What each user may see: the scoped queries every list, count and lookup of records goes
through, and the records an address can name (the Scopes that @policy.loads looks records up
in).

Each query starts from the kommun the user acts for (`in_own_kommun`): a row of another kommun
is never in scope, whatever else holds, and the team conditions come after it. Who the user is
(a field worker, a unit's caseworker, an admin) is policy.py's to say.
"""

from collections.abc import Callable

from sqlalchemy import Select, exists, false, or_, select

from outreach.auth.models import Role, User
from outreach.consent.models import Consent
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.notifications.models import OutboxMail
from outreach.org.models import Kommun, Team, TeamKind
from outreach.policy import (
    admin,
    field_staff,
    intake_unit_ids,
    leads_a_team,
    leads_field_team,
    unit_ids,
    unit_staff,
)
from outreach.privacy.models import AccessRequest
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking, WarningSign
from outreach.rules import Scope
from outreach.shifts.models import AnonymousContact, Shift
from outreach.youths.models import (
    IdentifiedContact,
    ProtectedAccess,
    Youth,
    identified_contact_youth,
)


def in_own_kommun(model, user: User):
    """The condition that the row is of the kommun the user acts for (false for none)."""
    return model.kommun_id == user.kommun_id if user.kommun_id is not None else false()


def visible_team_ids(user: User) -> list[int]:
    """The teams whose shifts and contacts the user sees: their field teams."""
    return [team.id for team in user.field_teams] if field_staff(user) else []


def visible_shifts(user: User) -> Select:
    """Shifts of the user's field teams."""
    return select(Shift).where(
        in_own_kommun(Shift, user), Shift.team_id.in_(visible_team_ids(user))
    )


def visible_anonymous_contacts(user: User) -> Select:
    """Anonymous contacts logged in shifts the user can see (each carries its shift's team)."""
    return select(AnonymousContact).where(
        in_own_kommun(AnonymousContact, user),
        AnonymousContact.team_id.in_(visible_team_ids(user)),
    )


def visible_youths(user: User) -> Select:
    """Youths registered by the user's field teams.

    A youth with protected identity is seen only by the team's leads and the workers a lead
    has granted access (ProtectedAccess); for everyone else in the team the record does not
    exist, and in the lists they do see it is masked.
    """
    if not field_staff(user):
        return select(Youth).where(false())
    query = select(Youth).where(
        in_own_kommun(Youth, user), Youth.team_id.in_([t.id for t in user.field_teams])
    )
    if user.role == Role.TEAM_LEAD:
        return query
    granted = exists(
        select(ProtectedAccess.id).where(ProtectedAccess.active_for(Youth.id, user.id))
    )
    return query.where(or_(Youth.protected_identity.is_(False), granted))


def visible_youth_ids(user: User) -> Select:
    """The ids of the youths the user sees (a subquery)."""
    return visible_youths(user).with_only_columns(Youth.id)


def visible_identified_contacts(user: User) -> Select:
    """Identified contacts recorded in shifts the user can see (each carries its shift's team)."""
    return select(IdentifiedContact).where(
        in_own_kommun(IdentifiedContact, user),
        IdentifiedContact.team_id.in_(visible_team_ids(user)),
    )


def readable_identified_contacts(user: User) -> Select:
    """Identified contacts the user may open: in the teams they see, naming no youth whose
    protected identity hides them from the user."""
    hidden = exists(
        select(identified_contact_youth.c.contact_id).where(
            identified_contact_youth.c.contact_id == IdentifiedContact.id,
            identified_contact_youth.c.youth_id.not_in(visible_youth_ids(user)),
        )
    )
    return visible_identified_contacts(user).where(~hidden)


def _about_visible_youths(model) -> Callable[[User], Select]:
    """Records about a youth (a marking, a consent, a report) are seen with the youth."""

    def visible(user: User) -> Select:
        return select(model).where(model.youth_id.in_(visible_youth_ids(user)))

    visible.__doc__ = f"{model.__name__} rows about the youths the user sees."
    return visible


def visible_handoffs(user: User) -> Select:
    """A receiving unit's staff see the handoffs sent to their unit; field staff see their own
    teams' handoffs (within the protected-identity rule of visible_youths)."""
    seen = []
    if unit_staff(user):
        seen.append(Handoff.to_unit_id.in_(unit_ids(user)))
    if field_staff(user):
        seen.append(Handoff.youth_id.in_(visible_youth_ids(user)))
    return select(Handoff).where(in_own_kommun(Handoff, user), or_(false(), *seen))


def visible_reports(user: User) -> Select:
    """Reports of concern are seen with their youth by its team, and by the intake unit they
    were delivered to (which sees the report, not the youth's record)."""
    return select(ReportOfConcern).where(
        in_own_kommun(ReportOfConcern, user),
        or_(
            ReportOfConcern.youth_id.in_(visible_youth_ids(user)),
            ReportOfConcern.to_unit_id.in_(intake_unit_ids(user)),
        ),
    )


def unit_inbox(user: User) -> Select:
    """The handoffs sent to the receiving units the user works in (their inbox)."""
    return select(Handoff).where(
        in_own_kommun(Handoff, user), Handoff.to_unit_id.in_(unit_ids(user))
    )


def led_access_requests(user: User) -> Select:
    """Register-extract requests about youths of the teams the user leads."""
    led = [team.id for team in user.field_teams] if leads_field_team(user) else []
    return (
        select(AccessRequest)
        .join(Youth, Youth.id == AccessRequest.youth_id)
        .where(in_own_kommun(Youth, user), Youth.team_id.in_(led))
    )


def administered(model) -> Callable[[User], Select]:
    """What the admin administers (users, the catalogue, the outbox): all of it in the kommun
    they act for, and nothing for anyone else."""

    def visible(user: User) -> Select:
        if not admin(user):
            return select(model).where(false())
        if model is User:
            return select(User).where(User.kommuner.any(Kommun.id == user.kommun_id))
        return select(model).where(in_own_kommun(model, user))

    visible.__doc__ = f"{model.__name__} rows the user administers."
    return visible


def possible_colleagues(user: User) -> Select:
    """Field staff of the user's field teams who can go out on a shift with them."""
    team_ids = [team.id for team in user.field_teams]
    return select(User).where(
        User.id != user.id,
        User.is_enabled.is_(True),
        User.role.in_([Role.FIELD_WORKER, Role.TEAM_LEAD]),
        User.all_teams.any(Team.id.in_(team_ids)),
    )


def team_workers(user: User) -> Select:
    """Field staff of the user's field teams, the user included (the review list's filter)."""
    team_ids = [team.id for team in user.field_teams]
    return select(User).where(
        User.role.in_([Role.FIELD_WORKER, Role.TEAM_LEAD]),
        User.all_teams.any(Team.id.in_(team_ids)),
    )


def statistics_teams(user: User) -> list[Team]:
    """The field teams whose numbers the user follows: a receiving unit's lead follows every
    field team of the kommun (the handoffs come from all of them), a field team's lead their
    own."""
    if not leads_a_team(user):
        return []
    if unit_staff(user):
        return list(
            db.session.execute(
                select(Team)
                .where(in_own_kommun(Team, user), Team.kind == TeamKind.FIELD)
                .order_by(Team.name)
            ).scalars()
        )
    return sorted(user.field_teams, key=lambda team: team.name)


def sees_exact_counts(user: User, teams: list[Team]) -> bool:
    """Small counts are shown exactly only to members of every team they describe; for
    anyone else (a unit's lead following the field teams) they are hidden."""
    return all(team.id in user.team_ids for team in teams)


# --- the records an address can name ------------------------------------------------------

SHIFT = Scope("shift", visible_shifts, Shift.public_id)
YOUTH = Scope("youth", visible_youths, Youth.public_id)
IDENTIFIED_CONTACT = Scope("contact", readable_identified_contacts, IdentifiedContact.public_id)
RISK_MARKING = Scope("marking", _about_visible_youths(RiskMarking), RiskMarking.public_id)
CONSENT = Scope("consent", _about_visible_youths(Consent), Consent.public_id)
REPORT = Scope("report", visible_reports, ReportOfConcern.public_id)
HANDOFF = Scope("handoff", visible_handoffs, Handoff.public_id)
ACCESS_REQUEST = Scope(
    "request", led_access_requests, AccessRequest.public_id, argument="access_request"
)
USER = Scope("user", administered(User), User.id, address="user_id")
TEAM = Scope("team", administered(Team), Team.id, address="team_id")
WARNING_SIGN = Scope("sign", administered(WarningSign), WarningSign.id, address="sign_id")
OUTBOX_MAIL = Scope("mail", administered(OutboxMail), OutboxMail.id, address="mail_id")
