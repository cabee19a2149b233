"""All authorization: named predicates, scoped queries and the per-endpoint policy.

Deny by default: every endpoint declares who may call it with @allow(...) (or @public), and
the before-request check refuses any endpoint that declares nothing. Objects outside the
user's scope are not found (404) rather than forbidden, so their existence is not revealed.
"""

from collections.abc import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, exists, false, or_, select

from outreach.auth.models import Role, User
from outreach.consent.models import Consent
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Team, TeamKind
from outreach.privacy.models import AccessRequest
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking
from outreach.shifts.models import AnonymousContact, Shift
from outreach.vocabulary import ReviewStatus
from outreach.youths.models import IdentifiedContact, ProtectedAccess, Youth

Predicate = Callable[[User], bool]

# --- role predicates (who may use an endpoint at all) -----------------------------------


def anyone_logged_in(user: User) -> bool:
    """Any active user."""
    return user.is_authenticated


def field_staff(user: User) -> bool:
    """Field workers and team leads who belong to a field team."""
    return user.role in {Role.FIELD_WORKER, Role.TEAM_LEAD} and bool(user.field_teams)


def vpc_staff(user: User) -> bool:
    """Caseworkers and team leads of the VPC team."""
    return user.role in {Role.CASEWORKER, Role.TEAM_LEAD} and any(
        team.kind == TeamKind.VPC for team in user.teams
    )


def field_or_vpc_staff(user: User) -> bool:
    """Anyone who works with handoffs: the sending side or VPC."""
    return field_staff(user) or vpc_staff(user)


def admin(user: User) -> bool:
    """The system administrator (systemförvaltare)."""
    return user.role == Role.ADMIN


def retention_staff(user: User) -> bool:
    """Who follows gallring: the admin (counts only) and the field teams' leads."""
    return admin(user) or leads_field_team(user)


def must_use_two_factor(user: User) -> bool:
    """Who logs in with a second factor when it is required (OUTREACH_REQUIRE_2FA): everyone
    who can see identified youths, and the admin, who can reach every account."""
    return user.role in {Role.FIELD_WORKER, Role.TEAM_LEAD, Role.CASEWORKER, Role.ADMIN}


# --- the endpoint registry ---------------------------------------------------------------

PUBLIC = "public"


def allow(predicate: Predicate) -> Callable:
    """Declare that the view may be called by logged-in users the predicate accepts."""

    def decorate(view):
        view.access_policy = predicate
        return view

    return decorate


def public(view):
    """Declare that the view may be called without logging in."""
    view.access_policy = PUBLIC
    return view


def endpoint_policy(endpoint: str | None):
    """The declared policy of an endpoint, or None when it declares none."""
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def enforce_endpoint_policy():
    """Before each request: login redirect, 403, or let the view run."""
    if request.endpoint is None:
        return None  # 404/405 from routing
    policy = endpoint_policy(request.endpoint)
    if policy is None:
        current_app.logger.error("endpoint %s declares no access policy", request.endpoint)
        abort(403)
    if policy == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    if not policy(current_user):
        # An address naming a record answers as if it did not exist; other actions say 403.
        abort(404 if "public_id" in (request.view_args or {}) else 403)
    return None


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


def visible_identified_contacts(user: User) -> Select:
    """Identified contacts recorded in shifts the user can see (each carries its shift's team)."""
    return select(IdentifiedContact).where(IdentifiedContact.team_id.in_(visible_team_ids(user)))


def possible_colleagues(user: User) -> Select:
    """Field staff of the user's field teams who can go out on a shift with them."""
    team_ids = [team.id for team in user.field_teams]
    return select(User).where(
        User.id != user.id,
        User.is_enabled.is_(True),
        User.role.in_([Role.FIELD_WORKER, Role.TEAM_LEAD]),
        User.teams.any(Team.id.in_(team_ids)),
    )


def visible_handoffs(user: User) -> Select:
    """VPC sees every handoff sent to it; field staff see their own teams' handoffs."""
    if vpc_staff(user):
        return select(Handoff)
    if field_staff(user):
        # the sending team, within the protected-identity rule of visible_youths
        return select(Handoff).where(
            Handoff.youth_id.in_(visible_youths(user).with_only_columns(Youth.id))
        )
    return select(Handoff).where(false())


# --- loading one object in scope ------------------------------------------------------


def _one_or_404(query: Select, column, public_id: str):
    found = db.session.execute(query.where(column == public_id)).unique().scalar_one_or_none()
    if found is None:
        abort(404)
    return found


def shift_or_404(user: User, public_id: str) -> Shift:
    """The shift with this public id if the user may see it; 404 otherwise."""
    return _one_or_404(visible_shifts(user), Shift.public_id, public_id)


def youth_or_404(user: User, public_id: str) -> Youth:
    """The youth with this public id if the user may see them; 404 otherwise."""
    return _one_or_404(visible_youths(user), Youth.public_id, public_id)


def risk_marking_or_404(user: User, public_id: str) -> RiskMarking:
    """The marking with this public id if the user may see its youth; 404 otherwise."""
    query = select(RiskMarking).where(
        RiskMarking.youth_id.in_(visible_youths(user).with_only_columns(Youth.id))
    )
    return _one_or_404(query, RiskMarking.public_id, public_id)


def consent_or_404(user: User, public_id: str) -> Consent:
    """The consent with this public id if the user may see its youth; 404 otherwise."""
    query = select(Consent).where(
        Consent.youth_id.in_(visible_youths(user).with_only_columns(Youth.id))
    )
    return _one_or_404(query, Consent.public_id, public_id)


def handoff_or_404(user: User, public_id: str) -> Handoff:
    """The handoff with this public id if the user may see it; 404 otherwise."""
    return _one_or_404(visible_handoffs(user), Handoff.public_id, public_id)


def report_or_404(user: User, public_id: str) -> ReportOfConcern:
    """The report with this public id if the user may see its child; 404 otherwise."""
    query = select(ReportOfConcern).where(
        ReportOfConcern.youth_id.in_(visible_youths(user).with_only_columns(Youth.id))
    )
    return _one_or_404(query, ReportOfConcern.public_id, public_id)


def access_request_or_404(user: User, public_id: str) -> AccessRequest:
    """A register-extract request about a youth of a team the user leads; 404 otherwise."""
    led = [team.id for team in user.field_teams] if leads_field_team(user) else []
    query = (
        select(AccessRequest)
        .join(Youth, Youth.id == AccessRequest.youth_id)
        .where(Youth.team_id.in_(led))
    )
    return _one_or_404(query, AccessRequest.public_id, public_id)


def identified_contact_or_404(user: User, public_id: str) -> IdentifiedContact:
    """The identified contact with this public id if the user may see it; 404 otherwise."""
    return _one_or_404(visible_identified_contacts(user), IdentifiedContact.public_id, public_id)


# --- object predicates (what a user may do) -------------------------------------------


def is_shift_worker(user: User, shift: Shift) -> bool:
    """The user is one of the workers out on the shift."""
    return any(worker.id == user.id for worker in shift.workers)


def can_log_in_shift(user: User, shift: Shift) -> bool:
    """Contacts are logged by the shift's workers while it is open."""
    return shift.is_open and is_shift_worker(user, shift)


def can_end_shift(user: User, shift: Shift) -> bool:
    """A shift is ended by one of its workers, or by a lead of its team."""
    return shift.is_open and (is_shift_worker(user, shift) or leads_team_of(user, shift))


def can_edit_situation_note(user: User, shift: Shift) -> bool:
    """The note is kept by whoever may end the open shift, and by its workers while a team
    lead has returned the shift to them."""
    return can_end_shift(user, shift) or can_resubmit_shift(user, shift)


def can_register_youth_in(user: User, team_id: int) -> bool:
    """Youths are registered in one of the user's field teams."""
    return field_staff(user) and team_id in {t.id for t in user.field_teams}


def can_edit_youth(user: User, youth: Youth) -> bool:
    """Anyone who can see a youth in their own field team may add what becomes known."""
    return field_staff(user) and youth.team_id in user.team_ids


def can_mark_risk(user: User, youth: Youth) -> bool:
    """Risk is marked by field staff of the youth's own team."""
    return can_edit_youth(user, youth)


def can_withdraw_risk(user: User, marking: RiskMarking) -> bool:
    """A marking is withdrawn by its author or a lead of the youth's team."""
    return marking.author_id == user.id or (
        user.role == Role.TEAM_LEAD and marking.youth.team_id in user.team_ids
    )


def can_record_consent(user: User, youth: Youth) -> bool:
    """Consents and their withdrawals are recorded by field staff of the youth's team."""
    return can_edit_youth(user, youth)


def can_hand_over(user: User, youth: Youth) -> bool:
    """A youth is handed over to VPC by field staff of the youth's team."""
    return can_edit_youth(user, youth)


def can_act_on_handoff(user: User, handoff: Handoff) -> bool:
    """VPC staff acknowledge, record first contact, accept, decline and close."""
    return vpc_staff(user)


def can_withdraw_handoff(user: User, handoff: Handoff) -> bool:
    """The sender, or a lead of the sending team, may withdraw before VPC accepts."""
    return handoff.sender_id == user.id or (
        user.role == Role.TEAM_LEAD and handoff.from_team_id in user.team_ids
    )


def can_manage_protected_access(user: User, youth: Youth) -> bool:
    """Who may see a youth with protected identity is decided by a lead of its team."""
    return youth.protected_identity and leads_team_of(user, youth)


def can_report_concern(user: User, youth: Youth) -> bool:
    """A report of concern is written by field staff of the child's team."""
    return can_edit_youth(user, youth)


def leads_field_team(user: User) -> bool:
    """A team lead of a field team: reviews the team's log, is alerted to unsent reports."""
    return user.role == Role.TEAM_LEAD and bool(user.field_teams)


def leads_a_team(user: User) -> bool:
    """A team lead of a field team or of VPC (statistics)."""
    return user.role == Role.TEAM_LEAD and bool(user.teams)


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


def team_workers(user: User) -> Select:
    """Field staff of the user's field teams, the user included (the review list's filter)."""
    team_ids = [team.id for team in user.field_teams]
    return select(User).where(
        User.role.in_([Role.FIELD_WORKER, Role.TEAM_LEAD]),
        User.teams.any(Team.id.in_(team_ids)),
    )


def leads_team_of(user: User, record: Shift | Youth) -> bool:
    """The user is a team lead of the record's team (a shift's, a youth's)."""
    return user.role == Role.TEAM_LEAD and record.team_id in user.team_ids


def can_review_shift(user: User, shift: Shift) -> bool:
    """An ended shift waiting for review is signed off or returned by a lead of its team."""
    return (
        leads_team_of(user, shift)
        and not shift.is_open
        and shift.review_status == ReviewStatus.PENDING
    )


def can_resubmit_shift(user: User, shift: Shift) -> bool:
    """A returned shift is answered and sent back for review by one of its workers."""
    return is_shift_worker(user, shift) and shift.review_status == ReviewStatus.RETURNED


def can_correct(user: User, contact: IdentifiedContact) -> bool:
    """A correction is appended by the author of the entry or a lead of its team."""
    return contact.author_id == user.id or (
        user.role == Role.TEAM_LEAD and contact.shift.team_id in user.team_ids
    )
