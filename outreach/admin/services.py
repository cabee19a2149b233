"""The admin's rules for a kommun's users, teams, receiving units, areas, places and
catalogue: names are unique in the kommun where they must be, and a change of a user's rights
ends their sessions. And the operator's: making a kommun."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import Role, User
from outreach.auth.services import check_teams_of, end_every_session
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import UNIT_RECIPIENT, Area, Kommun, Place, PlaceKind, Team, TeamKind
from outreach.risk import services as risk_services
from outreach.risk.models import WarningSign
from outreach.vocabulary import Recipient, SignGroup, Urgency

#: The longest retention time a kommun can set, in years.
MOST_RETENTION_YEARS = 30


@dataclass
class UnitSettings:
    """What the admin sets on a receiving unit: whom consent must cover for a handoff to it,
    and its first-contact times in hours (None: the deployment's)."""

    recipient: Recipient
    hours: int | None
    urgent_hours: int | None


def _required_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_l("Enter a name."), "name")
    return name


def _taken(query) -> bool:
    return db.session.execute(query.limit(1)).first() is not None


def _kommun_name_and_code(name: str, code: str, others) -> tuple[str, str]:
    """A kommun's name and four-digit code, neither taken by another kommun."""
    name, code = _required_name(name), (code or "").strip()
    if len(code) != 4 or not code.isdigit():
        raise RuleViolation(_l("The kommun code is four digits (1280 for Malmö)."), "code")
    if _taken(others.where(func.lower(Kommun.name) == name.lower())):
        raise RuleViolation(_l("There is already a kommun with that name."), "name")
    if _taken(others.where(Kommun.code == code)):
        raise RuleViolation(_l("There is already a kommun with that code."), "code")
    return name, code


def record_change(entity_type: str, entity_id: int, changed: dict, *, by: User) -> None:
    """The audit row of an admin's change in their kommun: the fields, old and new values."""
    if changed:
        audit.record(
            AuditAction.UPDATE,
            entity_type,
            entity_id,
            user_id=by.id,
            kommun_id=by.kommun_id,
            detail=",".join(changed),
            changes=changed,
        )


def create_kommun(name: str, code: str) -> Kommun:
    """A new kommun (the operator's), whose warning-sign catalogue starts as a copy of the
    standard one."""
    name, code = _kommun_name_and_code(name, code, select(Kommun.id))
    kommun = Kommun(name=name, code=code)
    db.session.add(kommun)
    db.session.flush()
    risk_services.copy_standard_catalogue(kommun.id)
    return kommun


def rename_kommun(kommun: Kommun, name: str, code: str) -> None:
    """Give a kommun its name and code (the follow-up to an upgrade from before kommuner)."""
    others = select(Kommun.id).where(Kommun.id != kommun.id)
    name, code = _kommun_name_and_code(name, code, others)
    kommun.name, kommun.code = name, code
    db.session.flush()


def users(kommun_id: int) -> list[User]:
    """The kommun's users by name, with their teams."""
    return list(
        db.session.execute(
            select(User)
            .where(User.kommuner.any(Kommun.id == kommun_id))
            .options(selectinload(User.all_teams), selectinload(User.kommuner))
            .order_by(User.display_name)
        ).scalars()
    )


def create_team(kommun_id: int, name: str, kind: TeamKind) -> Team:
    """A new field team or receiving unit of the kommun."""
    name = _required_name(name)
    if _taken(
        select(Team.id).where(Team.kommun_id == kommun_id, func.lower(Team.name) == name.lower())
    ):
        raise RuleViolation(_l("There is already a team with that name."), "name")
    team = Team(kommun_id=kommun_id, name=name, kind=kind, recipient=UNIT_RECIPIENT.get(kind))
    db.session.add(team)
    db.session.flush()
    return team


def update_team(
    team: Team,
    *,
    by: User,
    name: str,
    unit: UnitSettings | None = None,
    defaults: dict[Urgency, int],
) -> list[str]:
    """Change a team's name, and a receiving unit's consent category and first-contact times
    (`unit`; a time of None is the deployment's, `defaults`). Returns the changed fields."""
    name = _required_name(name)
    if _taken(
        select(Team.id).where(
            Team.kommun_id == team.kommun_id,
            Team.id != team.id,
            func.lower(Team.name) == name.lower(),
        )
    ):
        raise RuleViolation(_l("There is already a team with that name."), "name")
    values = {"name": name}
    if team.receives_handoffs and unit is not None:
        normal = unit.hours or defaults[Urgency.NORMAL]
        urgent = unit.urgent_hours or defaults[Urgency.URGENT]
        if urgent > normal:
            raise RuleViolation(
                _l(
                    "First contact when urgent cannot take longer than otherwise (%(hours)d h).",
                    hours=normal,
                ),
                "urgent_first_contact_hours",
            )
        values |= {
            "recipient": unit.recipient,
            "first_contact_hours": unit.hours,
            "urgent_first_contact_hours": unit.urgent_hours,
        }
    changed = audit.apply_changes(team, values)
    record_change("team", team.id, changed, by=by)
    return list(changed)


def set_retention(kommun: Kommun, *, by: User, years: int | None) -> bool:
    """The kommun's retention time (gallring): years without activity before an identified
    youth is deleted; None: the deployment's. Returns whether it changed."""
    if years is not None and not 1 <= years <= MOST_RETENTION_YEARS:
        raise RuleViolation(_l("Enter a number of years from 1 to 30."), "retention_years")
    changed = audit.apply_changes(kommun, {"retention_years": years})
    record_change("kommun", kommun.id, changed, by=by)
    return bool(changed)


def create_area(kommun_id: int, name: str) -> Area:
    """A new area of the kommun."""
    name = _required_name(name)
    if _taken(
        select(Area.id).where(Area.kommun_id == kommun_id, func.lower(Area.name) == name.lower())
    ):
        raise RuleViolation(_l("There is already an area with that name."), "name")
    area = Area(kommun_id=kommun_id, name=name)
    db.session.add(area)
    db.session.flush()
    return area


def create_place(area: Area | None, name: str, kind: PlaceKind) -> Place:
    """A new place in an area."""
    if area is None:
        raise RuleViolation(_l("Choose an area."), "area")
    name = _required_name(name)
    if _taken(
        select(Place.id).where(Place.area_id == area.id, func.lower(Place.name) == name.lower())
    ):
        raise RuleViolation(_l("The area already has a place with that name."), "name")
    place = Place(area=area, name=name, kind=kind)
    db.session.add(place)
    db.session.flush()
    return place


def add_warning_sign(kommun_id: int, group: SignGroup, label: str) -> WarningSign:
    """A new sign in the kommun's catalogue (offered in new markings at once)."""
    label = _required_name(label)
    if _taken(
        select(WarningSign.id).where(
            WarningSign.kommun_id == kommun_id,
            WarningSign.group == group,
            func.lower(WarningSign.label) == label.lower(),
        )
    ):
        raise RuleViolation(_l("The group already has that warning sign."), "label")
    sign = WarningSign(kommun_id=kommun_id, group=group, label=label)
    db.session.add(sign)
    db.session.flush()
    return sign


def set_warning_sign_active(sign: WarningSign, active: bool) -> None:
    """Retire a sign (kept on old markings, not offered for new ones) or bring it back."""
    sign.is_active = active
    db.session.flush()


def _as_recorded(user: User) -> dict:
    """What the audit trail keeps of a user's details and rights."""
    return {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role.value,
        "teams": sorted(team.name for team in user.all_teams),
        "is_enabled": user.is_enabled,
    }


def update_user(
    user: User,
    *,
    by: User,
    display_name: str,
    email: str | None,
    role: Role,
    teams: list[Team],
    enabled: bool,
) -> list[str]:
    """Change a user; returns the names of the changed fields. A change of what the user may
    do (role, teams, the account in use) ends every session they have: they log in again,
    with a new session, to get the new rights."""
    display_name = (display_name or "").strip()
    if not display_name:
        raise RuleViolation(_l("Enter the full name."), "display_name")
    if user.id == by.id and (role != user.role or not enabled):
        raise RuleViolation(_l("You cannot change your own role or stop your own account."))
    check_teams_of(role, teams)
    before = _as_recorded(user)
    user.display_name, user.email, user.role = display_name, email or None, role
    # the teams of the admin's kommun are as chosen; those of another kommun stay
    kept = [team for team in user.all_teams if team.kommun_id != by.kommun_id]
    user.all_teams, user.is_enabled = kept + list(teams), enabled
    after = _as_recorded(user)
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    record_change("user", user.id, changed, by=by)
    if changed.keys() & {"role", "teams", "is_enabled"}:
        end_every_session(user, by=by, why="rights changed")
    db.session.flush()
    return list(changed)
