"""All authorization: the named rules of who may do what (deny by default). What each user
may see, and the records an address can name, are in scopes.py.

Every endpoint declares who may call it with @allow(rule) (or @public), and the
before-request check refuses any endpoint that declares nothing. An endpoint whose address
names a record loads it with @loads(SCOPE, may=rule): the record is looked up among those the
user may see, and an object outside the user's scope is not found (404) rather than
forbidden, so its existence is not revealed; an action the user may not take on a record they
can see answers 403 with the rule's reason. How rules are written, composed (& | ~) and
enforced is in rules.py; what they say is here.
"""

from flask_babel import lazy_gettext as _l

from outreach.auth.models import Role, User
from outreach.consent.models import Consent
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking
from outreach.rules import (
    PUBLIC,
    Rule,
    allow,
    endpoint_policy,
    enforce_endpoint_policy,
    loads,
    public,
    rule,
)
from outreach.shifts.models import Shift
from outreach.vocabulary import ReviewStatus
from outreach.youths.models import (
    IdentifiedContact,
    Youth,
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


def unit_ids(user: User) -> list[int]:
    """The receiving units (VPC, the avhopparteam …) the user works in as a caseworker or lead,
    in the kommun they act for."""
    if user.role not in {Role.CASEWORKER, Role.TEAM_LEAD}:
        return []
    return [team.id for team in user.teams if team.receives_handoffs]


@rule()
def unit_staff(user: User) -> bool:
    """Caseworkers and team leads of a receiving unit (VPC, the avhopparteam …)."""
    return bool(unit_ids(user))


def intake_unit_ids(user: User) -> list[int]:
    """The intake units (socialtjänstens mottagning) among the user's receiving units: they
    receive the reports of concern."""
    return [team.id for team in user.teams if team.id in unit_ids(user) and team.takes_reports]


@rule()
def intake_staff(user: User) -> bool:
    """Caseworkers and team leads of an intake unit (reports of concern reach them)."""
    return bool(intake_unit_ids(user))


#: Anyone who works with handoffs: the sending side or a receiving unit.
field_or_unit_staff = (field_staff | unit_staff).named("field_or_unit_staff")


@rule()
def admin(user: User) -> bool:
    """The system administrator (systemförvaltare) of the kommun they act for."""
    return user.role == Role.ADMIN and user.kommun_id is not None


@rule()
def operator(user: User) -> bool:
    """The deployment's operator (driftansvarig): kommuner, health, versions and counts."""
    return user.role == Role.OPERATOR


@rule()
def national_statistics(user: User) -> bool:
    """Who sees the anonymous tallies of every kommun: the operator and the regional
    coordinators."""
    return user.role in {Role.OPERATOR, Role.COORDINATOR}


@rule()
def leads_field_team(user: User) -> bool:
    """A team lead of a field team: reviews the team's log, is alerted to unsent reports."""
    return user.role == Role.TEAM_LEAD and bool(user.field_teams)


@rule()
def leads_a_team(user: User) -> bool:
    """A team lead of a field team or of a receiving unit (statistics)."""
    return user.role == Role.TEAM_LEAD and bool(user.teams)


#: Who follows gallring: the admin (counts only) and the field teams' leads.
retention_staff = (admin | leads_field_team).named("retention_staff")


@rule()
def must_use_two_factor(user: User) -> bool:
    """Who logs in with a second factor when it is required (OUTREACH_REQUIRE_2FA): everyone
    who can see identified youths, the admin, who can reach every account of the kommun, and
    the operator, who creates the admins."""
    return user.role in {
        Role.FIELD_WORKER,
        Role.TEAM_LEAD,
        Role.CASEWORKER,
        Role.ADMIN,
        Role.OPERATOR,
    }


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


@rule(_l("Only the author can send the report, and only once."))
def can_send_report(user: User, report: ReportOfConcern) -> bool:
    """A report is sent (delivered or on paper) by its author, once."""
    return report.sent_at is None and report.author_id == user.id


@rule(_l("Only the intake unit it was sent to can acknowledge the report."))
def can_receive_report(user: User, report: ReportOfConcern) -> bool:
    """A delivered report's receipt is acknowledged by staff of the unit it was sent to."""
    return report.to_unit_id is not None and report.to_unit_id in intake_unit_ids(user)


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
    """The receiving unit's staff acknowledge, record first contact, accept, decline and
    close."""
    return handoff.to_unit_id in unit_ids(user)


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
