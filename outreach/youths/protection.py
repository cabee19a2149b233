"""Protected identity (skyddad identitet): who may see such a youth is decided by a lead of the
youth's team, one user at a time; every grant and revocation is in the audit trail."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach import audit, policy
from outreach.audit import AuditAction
from outreach.auth.models import Role, User
from outreach.clock import now
from outreach.errors import Conflict, RuleViolation
from outreach.extensions import db
from outreach.org.models import Team
from outreach.youths.models import ProtectedAccess, Youth


def _active(youth: Youth, user_id: int) -> ProtectedAccess | None:
    return db.session.execute(
        select(ProtectedAccess).where(ProtectedAccess.active_for(youth.id, user_id))
    ).scalar_one_or_none()


def _add(youth: Youth, user: User, by: User) -> ProtectedAccess:
    access = ProtectedAccess(youth_id=youth.id, user_id=user.id, granted_by_id=by.id)
    db.session.add(access)
    db.session.flush()
    audit.record(
        AuditAction.GRANT,
        "protected_access",
        access.id,
        user_id=by.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
        detail=f"user={user.id}",
    )
    return access


def keep_access_of_marker(user: User, youth: Youth) -> None:
    """The worker who marks a record protected keeps seeing it (the team's lead sees the grant
    and may revoke it); leads see their team's protected youths anyway."""
    if youth.protected_identity and user.role != Role.TEAM_LEAD and _active(youth, user.id) is None:
        _add(youth, user, by=user)


def grant(lead: User, youth: Youth, user_id: int | None) -> ProtectedAccess:
    """Let a worker of the youth's team (by id) see the protected record."""
    policy.can_manage_protected_access.require(lead, youth)
    user = next((u for u in candidates(youth) if u.id == user_id), None)
    if user is None:
        raise RuleViolation(_l("Choose a field worker of the youth's team."), "user")
    return _add(youth, user, by=lead)


def revoke(lead: User, youth: Youth, user_id: int) -> None:
    """Take a worker's (by id) access to the protected record away."""
    policy.can_manage_protected_access.require(lead, youth)
    access = _active(youth, user_id)
    if access is None:
        raise Conflict(_l("That user has no access to revoke (any more)."))
    access.revoked_at, access.revoked_by_id = now(), lead.id
    audit.record(
        AuditAction.REVOKE,
        "protected_access",
        access.id,
        user_id=lead.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
        detail=f"user={user_id}",
    )
    db.session.flush()


def grants(youth: Youth) -> list[ProtectedAccess]:
    """Every grant on the record, active ones first, newest first."""
    return sorted(
        db.session.execute(
            select(ProtectedAccess).where(ProtectedAccess.youth_id == youth.id)
        ).scalars(),
        key=lambda access: (not access.active, -access.granted_at.timestamp()),
    )


def candidates(youth: Youth) -> list[User]:
    """Field workers of the youth's team who do not see the record yet."""
    return list(
        db.session.execute(
            select(User)
            .where(
                User.role == Role.FIELD_WORKER,
                User.is_enabled.is_(True),
                User.all_teams.any(Team.id == youth.team_id),
                ~select(ProtectedAccess.id)
                .where(ProtectedAccess.active_for(youth.id, User.id))
                .exists(),
            )
            .order_by(User.display_name)
        ).scalars()
    )
