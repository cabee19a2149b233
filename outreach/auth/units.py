"""The receiving units of a kommun (VPC, the avhopparteam, SSPF, the intake unit …): which
there are, where a handoff goes unless the sender chooses, and who works in them."""

from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Team, TeamKind


def unit_members(unit_ids: int | list[int], *roles: Role) -> list[User]:
    """Enabled members of the receiving unit(s) with one of the roles."""
    ids = [unit_ids] if isinstance(unit_ids, int) else unit_ids
    return list(
        db.session.execute(
            select(User).where(
                User.is_enabled.is_(True),
                User.role.in_(roles),
                User.all_teams.any(Team.id.in_(ids)),
            )
        ).scalars()
    )


def receiving_units(kommun_id: int | None) -> list[Team]:
    """The kommun's receiving units, its VPC first, then by name."""
    units = db.session.execute(
        select(Team)
        .where(Team.kommun_id == kommun_id, Team.kind != TeamKind.FIELD)
        .order_by(Team.name)
    ).scalars()
    return sorted(units, key=lambda unit: unit.kind != TeamKind.VPC)


def default_unit(kommun_id: int | None) -> Team | None:
    """Where a handoff goes unless the sender chooses: the kommun's VPC."""
    units = [unit for unit in receiving_units(kommun_id) if unit.kind != TeamKind.INTAKE]
    return units[0] if units else None


def intake_unit(kommun_id: int | None) -> Team | None:
    """Where the kommun's reports of concern are delivered: its intake unit, if it works in
    Outreach (an enabled caseworker or lead is in it). None: reports are sent on paper."""
    for unit in receiving_units(kommun_id):
        if unit.takes_reports and unit_members(unit.id, Role.CASEWORKER, Role.TEAM_LEAD):
            return unit
    return None
