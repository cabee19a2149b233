"""All authorization: the named rules of who may do what, the scoped queries of what each user
may see, and the records an address can name.

Deny by default: every endpoint declares who may call it with @allow(rule) (or @public), and
the before-request check refuses any endpoint that declares nothing. An endpoint whose address
names a record loads it with @loads(SCOPE, may=rule): the record is looked up among those the
user may see, and an object outside the user's scope is not found (404) rather than forbidden,
so its existence is not revealed; an action the user may not take on a record they can see
answers 403 with the rule's reason. How rules are written, composed (& | ~) and enforced is in
rules.py; what they say is here.
"""

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, false, or_, select, true

from outreach.auth.models import Role, User
from outreach.consent.models import Consent
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.notifications.models import OutboxMail
from outreach.org.models import Team, TeamKind
from outreach.privacy.models import AccessRequest
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking, WarningSign
from outreach.rules import (
    PUBLIC,
    Rule,
    Scope,
    allow,
    endpoint_policy,
    enforce_endpoint_policy,
    loads,
    public,
    rule,
)
from outreach.shifts.models import AnonymousContact, Shift
from outreach.vocabulary import ReviewStatus
from outreach.youths.models import (
    IdentifiedContact,
    ProtectedAccess,
    Youth,
    identified_contact_youth,
)

#: The declarations every view makes, from rules.py: @allow(rule) or @public, and @loads.
__all__ = [
    "PUBLIC",
    "Rule",
    "allow",
    "endpoint_policy",
    "enforce_endpoint_policy",
    "loads",
    "public",
]

# --- who may use an endpoint at all ---------------------------------------------------------


@rule()
def anyone_logged_in(user: User) -> bool:
    """Any active user."""
    return user.is_authenticated


@rule()
def field_staff(user: User) -> bool:
    """Field workers and team leads who belong to a field team."""
    return user.role in {Role.FIELD_WORKER, Role.TEAM_LEAD} and bool(user.field_teams)


@rule()
def vpc_staff(user: User) -> bool:
    """Caseworkers and team leads of the VPC team."""
    return user.role in {Role.CASEWORKER, Role.TEAM_LEAD} and any(
        team.kind == TeamKind.VPC for team in user.teams
    )


#: Anyone who works with handoffs: the sending side or VPC.
field_or_vpc_staff = (field_staff | vpc_staff).named("field_or_vpc_staff")


@rule()
def admin(user: User) -> bool:
    """The system administrator (systemförvaltare)."""
    return user.role == Role.ADMIN


@rule()
def leads_field_team(user: User) -> bool:
    """A team lead of a field team: reviews the team's log, is alerted to unsent reports."""
    return user.role == Role.TEAM_LEAD and bool(user.field_teams)


@rule()
def leads_a_team(user: User) -> bool:
    """A team lead of a field team or of VPC (statistics)."""
    return user.role == Role.TEAM_LEAD and bool(user.teams)


#: Who follows gallring: the admin (counts only) and the field teams' leads.
retention_staff = (admin | leads_field_team).named("retention_staff")


@rule()
def must_use_two_factor(user: User) -> bool:
    """Who logs in with a second factor when it is required (OUTREACH_REQUIRE_2FA): everyone
    who can see identified youths, and the admin, who can reach every account."""
    return user.role in {Role.FIELD_WORKER, Role.TEAM_LEAD, Role.CASEWORKER, Role.ADMIN}


# --- scoped queries (what a user may see) ---------------------------------------------


def visible_team_ids(user: User) -> list[int]:
    """The teams whose shifts and contacts the user sees: their field teams."""
    return [team.id for team in user.field_teams] if field_staff(user) else []


def visible_shifts(user: User) -> Select:
    """Shifts of the user's field teams."""
    return select(Shift).where(Shift.team_id.in_(visible_team_ids(user)))


def visible_anonymous_contacts(user: User) -> Select:
    """Anonymous contacts logged in shifts the user can see (each carries its shift's team)."""
    return select(AnonymousContact).where(AnonymousContact.team_id.in_(visible_team_ids(user)))


def visible_youths(user: User) -> Select:
    """Youths registered by the user's field teams.

    A youth with protected identity is seen only by the team's leads and the workers a lead
    has granted access (ProtectedAccess); for everyone else in the team the record does not
    exist, and in the lists they do see it is masked.
    """
    if not field_staff(user):
        return select(Youth).where(false())
    query = select(Youth).where(Youth.team_id.in_([t.id for t in user.field_teams]))
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
    return select(IdentifiedContact).where(IdentifiedContact.team_id.in_(visible_team_ids(user)))


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
    """VPC sees every handoff sent to it; field staff see their own teams' handoffs."""
    if vpc_staff(user):
        return select(Handoff)
    if field_staff(user):
        # the sending team, within the protected-identity rule of visible_youths
        return select(Handoff).where(Handoff.youth_id.in_(visible_youth_ids(user)))
    return select(Handoff).where(false())


def led_access_requests(user: User) -> Select:
    """Register-extract requests about youths of the teams the user leads."""
    led = [team.id for team in user.field_teams] if leads_field_team(user) else []
    return (
        select(AccessRequest)
        .join(Youth, Youth.id == AccessRequest.youth_id)
        .where(Youth.team_id.in_(led))
    )


def administered(model) -> Callable[[User], Select]:
    """What the admin administers (users, the catalogue, the outbox): all of it, and nothing
    for anyone else."""

    def visible(user: User) -> Select:
        return select(model).where(true() if admin(user) else false())

    visible.__doc__ = f"{model.__name__} rows the user administers."
    return visible


def possible_colleagues(user: User) -> Select:
    """Field staff of the user's field teams who can go out on a shift with them."""
    team_ids = [team.id for team in user.field_teams]
    return select(User).where(
        User.id != user.id,
        User.is_enabled.is_(True),
        User.role.in_([Role.FIELD_WORKER, Role.TEAM_LEAD]),
        User.teams.any(Team.id.in_(team_ids)),
    )


def team_workers(user: User) -> Select:
    """Field staff of the user's field teams, the user included (the review list's filter)."""
    team_ids = [team.id for team in user.field_teams]
    return select(User).where(
        User.role.in_([Role.FIELD_WORKER, Role.TEAM_LEAD]),
        User.teams.any(Team.id.in_(team_ids)),
    )


def statistics_teams(user: User) -> list[Team]:
    """The field teams whose numbers the user follows: a VPC lead follows every field team
    (the handoffs come from all of them), a field team's lead their own."""
    if not leads_a_team(user):
        return []
    if vpc_staff(user):
        return list(
            db.session.execute(
                select(Team).where(Team.kind == TeamKind.FIELD).order_by(Team.name)
            ).scalars()
        )
    return sorted(user.field_teams, key=lambda team: team.name)


def sees_exact_counts(user: User, teams: list[Team]) -> bool:
    """Small counts are shown exactly only to members of every team they describe; for
    anyone else (a VPC lead following the field teams) they are hidden."""
    return all(team.id in user.team_ids for team in teams)


# --- the records an address can name, and the loader --------------------------------------

SHIFT = Scope("shift", visible_shifts, Shift.public_id)
YOUTH = Scope("youth", visible_youths, Youth.public_id)
IDENTIFIED_CONTACT = Scope("contact", readable_identified_contacts, IdentifiedContact.public_id)
RISK_MARKING = Scope("marking", _about_visible_youths(RiskMarking), RiskMarking.public_id)
CONSENT = Scope("consent", _about_visible_youths(Consent), Consent.public_id)
REPORT = Scope("report", _about_visible_youths(ReportOfConcern), ReportOfConcern.public_id)
HANDOFF = Scope("handoff", visible_handoffs, Handoff.public_id)
ACCESS_REQUEST = Scope(
    "request", led_access_requests, AccessRequest.public_id, argument="access_request"
)
USER = Scope("user", administered(User), User.id, address="user_id")
WARNING_SIGN = Scope("sign", administered(WarningSign), WarningSign.id, address="sign_id")
OUTBOX_MAIL = Scope("mail", administered(OutboxMail), OutboxMail.id, address="mail_id")


# --- what a user may do with a record -------------------------------------------------


@rule()
def leads_team_of(user: User, record: Shift | Youth) -> bool:
    """The user is a team lead of the record's team (a shift's, a youth's)."""
    return user.role == Role.TEAM_LEAD and record.team_id in user.team_ids


@rule(_l("Only the shift's workers can answer a returned shift."))
def is_shift_worker(user: User, shift: Shift) -> bool:
    """The user is one of the workers out on the shift."""
    return any(worker.id == user.id for worker in shift.workers)


@rule(_l("Contacts are logged by the shift's workers while the shift is open."))
def can_log_in_shift(user: User, shift: Shift) -> bool:
    """Contacts are logged by the shift's workers while it is open."""
    return shift.is_open and is_shift_worker(user, shift)


@rule(_l("The shift has ended, or you are not one of its workers."))
def can_end_shift(user: User, shift: Shift) -> bool:
    """A shift is ended by one of its workers, or by a lead of its team."""
    return shift.is_open and (is_shift_worker(user, shift) or leads_team_of(user, shift))


@rule(_l("Only a lead of the shift's team can review it."))
def can_review_shift(user: User, shift: Shift) -> bool:
    """An ended shift waiting for review is signed off or returned by a lead of its team."""
    return (
        leads_team_of(user, shift)
        and not shift.is_open
        and shift.review_status == ReviewStatus.PENDING
    )


#: Who may review the team's shifts at all (the state of the shift is the service's to say).
reviews_team_shifts = leads_team_of.refusing(can_review_shift.refusal)


@rule(_l("Only the shift's workers can answer a returned shift."))
def can_resubmit_shift(user: User, shift: Shift) -> bool:
    """A returned shift is answered and sent back for review by one of its workers."""
    return is_shift_worker(user, shift) and shift.review_status == ReviewStatus.RETURNED


#: The note is kept by whoever may end the open shift, and by its workers while a team lead
#: has returned the shift to them.
can_edit_situation_note = (can_end_shift | can_resubmit_shift).named(
    "can_edit_situation_note",
    _l("Only the shift's workers can change its note while it is open."),
)


@rule(_l("Choose one of your field teams."))
def can_register_youth_in(user: User, team: Team | None) -> bool:
    """Youths are registered in one of the user's field teams."""
    return team is not None and field_staff(user) and team.id in {t.id for t in user.field_teams}


@rule(_l("You cannot change this youth's details."))
def can_edit_youth(user: User, youth: Youth) -> bool:
    """Anyone who can see a youth in their own field team may add what becomes known."""
    return field_staff(user) and youth.team_id in user.team_ids


can_mark_risk = can_edit_youth.refusing(_l("Only staff of the youth's own team can mark risk."))
can_record_consent = can_edit_youth.refusing(
    _l("Only staff of the youth's own team can record consent.")
)
can_hand_over = can_edit_youth.refusing(_l("Only staff of the youth's own team can hand over."))
can_report_concern = can_edit_youth.refusing(
    _l("Only staff of the child's own team can report concern.")
)


@rule(_l("Only the author or a team lead can withdraw a marking."))
def can_withdraw_risk(user: User, marking: RiskMarking) -> bool:
    """A marking is withdrawn by its author or a lead of the youth's team."""
    return marking.author_id == user.id or leads_team_of(user, marking.youth)


@rule(_l("Only staff of the youth's own team can record consent."))
def can_withdraw_consent(user: User, consent: Consent) -> bool:
    """A consent's withdrawal is recorded by field staff of the youth's team."""
    return can_edit_youth(user, consent.youth)


@rule(_l("You cannot do that with this handoff."))
def can_act_on_handoff(user: User, handoff: Handoff) -> bool:
    """VPC staff acknowledge, record first contact, accept, decline and close."""
    return vpc_staff(user)


@rule(_l("You cannot do that with this handoff."))
def can_withdraw_handoff(user: User, handoff: Handoff) -> bool:
    """The sender, or a lead of the sending team, may withdraw before VPC accepts."""
    return handoff.sender_id == user.id or (
        user.role == Role.TEAM_LEAD and handoff.from_team_id in user.team_ids
    )


@rule(_l("Only a team lead of the youth's team decides who sees the record."))
def can_manage_protected_access(user: User, youth: Youth) -> bool:
    """Who may see a youth with protected identity is decided by a lead of its team."""
    return youth.protected_identity and leads_team_of(user, youth)


#: Two records of the same youth are merged by a lead of its team.
can_merge_records = leads_team_of.refusing(
    _l("Only a team lead of the youth's team can merge records.")
)
#: Legal holds and register-extract requests are a lead's: the record-keeping of the team.
keeps_records_of = leads_team_of.refusing(_l("Only a team lead of the youth's team can do this."))


@rule(_l("Only the author or a team lead can correct an entry."))
def can_correct(user: User, contact: IdentifiedContact) -> bool:
    """A correction is appended by the author of the entry or a lead of its team."""
    return contact.author_id == user.id or (
        user.role == Role.TEAM_LEAD and contact.shift.team_id in user.team_ids
    )
