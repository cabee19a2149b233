"""Accounts from a kommun's identity provider: made at a person's first login through it (just
in time), brought in line with their groups at every login, refused when none of their groups
gives a role in Outreach.

The provider's groups give roles and teams through the kommun's mappings (GroupMapping). A
person in several mapped groups gets the highest of their roles (ROLE_ORDER), and the teams of
the groups that give that role; a role without teams (the admin, the regional coordinator) gets
none. Teams the user has in another kommun are left as they are.
"""

import logging
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from outreach.audit import AuditAction
from outreach.auth.models import (
    ExternalIdentity,
    IdentityProvider,
    Role,
    ScimGroup,
    User,
    scim_group_member,
)
from outreach.auth.services import check_teams_of, create_user, end_every_session, record_account
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Team

log = logging.getLogger(__name__)

#: From the highest role down: the one a person in several mapped groups gets.
ROLE_ORDER = (Role.ADMIN, Role.TEAM_LEAD, Role.CASEWORKER, Role.FIELD_WORKER, Role.COORDINATOR)
#: Roles that belong to no team.
WITHOUT_TEAMS = {Role.ADMIN, Role.COORDINATOR}

FAILED = _l(
    "The login through %(provider)s could not be completed, and you are not logged in. Try "
    "again; if it goes on, tell your kommun's system administrator."
)
NOT_MAPPED = _l(
    "You logged in at %(provider)s, but none of your groups there gives you a role in Outreach. "
    "Ask your kommun's system administrator for access."
)
SHARED = _l(
    "Your account works for several kommuner, and its role there is not the one your groups "
    "at this kommun's provider give. Ask your kommun's system administrator."
)
STOPPED = _l(
    "Your account in Outreach is stopped. Ask your kommun's system administrator if it should "
    "not be."
)


@dataclass
class Assertion:
    """What the identity provider vouched for about the person who logged in."""

    provider: IdentityProvider
    #: The value of the provider's subject claim: who the person is there, for good.
    subject: str
    username: str
    name: str
    email: str | None
    groups: list[str]
    #: The provider vouches for a login with more than one factor.
    multi_factor: bool


class LoginFailed(RuleViolation):
    """The provider's answer did not hold (a token for someone else, expired, not signed by
    the provider …): the reason goes to the log, the person gets one message."""

    def __init__(self, provider: IdentityProvider, reason: str):
        super().__init__(FAILED % {"provider": provider.display_name})
        self.reason = reason
        log.warning("login through provider %s refused: %s", provider.id, reason)


def rights_of(provider: IdentityProvider, groups: list[str]) -> tuple[Role, list[Team]]:
    """The role and teams the person's groups give, or RuleViolation when none does."""
    matched = [mapping for mapping in provider.mappings if mapping.group in set(groups)]
    if not matched:
        raise RuleViolation(NOT_MAPPED % {"provider": provider.display_name})
    role = min((mapping.role for mapping in matched), key=ROLE_ORDER.index)
    teams: list[Team] = []
    if role not in WITHOUT_TEAMS:
        for mapping in matched:
            if mapping.role == role and mapping.team is not None and mapping.team not in teams:
                teams.append(mapping.team)
    check_teams_of(role, teams)
    return role, teams


def provision(assertion: Assertion) -> User:
    """The account the provider vouched for: made at the first login, its role and teams in the
    kommun brought in line with the person's groups at each (a change of rights ends the
    user's other sessions). Refused: no group maps, or the account is stopped."""
    provider = assertion.provider
    if len(assertion.subject) > 255:
        raise LoginFailed(provider, "the subject is longer than 255 characters")
    assertion.name = assertion.name[:120]
    if assertion.email and len(assertion.email) > 254:
        assertion.email = None
    identity = db.session.execute(
        select(ExternalIdentity).where(
            ExternalIdentity.provider_id == provider.id,
            ExternalIdentity.subject == assertion.subject,
        )
    ).scalar_one_or_none()
    # the groups the token names, or those the provider keeps here over SCIM
    groups = assertion.groups or (groups_of(provider, identity.user) if identity else [])
    role, teams = rights_of(provider, groups)
    if identity is None:
        user = create_user(
            username=_free_username(assertion.username or assertion.subject),
            display_name=assertion.name or assertion.username,
            role=role,
            password=None,
            teams=teams,
            email=assertion.email,
            kommun=provider.kommun,
        )
        db.session.add(
            ExternalIdentity(
                kommun_id=provider.kommun_id,
                provider_id=provider.id,
                user_id=user.id,
                subject=assertion.subject,
            )
        )
        db.session.flush()
        return user
    user = identity.user
    if not user.is_enabled:
        raise RuleViolation(STOPPED)
    if shared(user) and role != user.role:
        raise RuleViolation(SHARED)
    user.act_for(provider.kommun_id)
    if assertion.name:
        user.display_name = assertion.name
    if assertion.email:
        user.email = assertion.email
    bring_in_line(user, provider.kommun_id, role, teams)
    return user


def shared(user: User) -> bool:
    """The account works for several kommuner: one kommun's provider changes only its own
    part of it (its teams there), never what the account is everywhere (role, name, use)."""
    return len(user.kommuner) > 1


def no_access(user: User, kommun_id: int) -> None:
    """None of the user's groups gives anything any more: no team in the kommun, and (unless
    the account works for other kommuner too) the role that opens nothing."""
    role = user.role if shared(user) else Role.FIELD_WORKER
    bring_in_line(user, kommun_id, role, [])


def groups_of(provider: IdentityProvider, user: User) -> list[str]:
    """The names of the groups the provider keeps here over SCIM that the user is in."""
    return list(
        db.session.execute(
            select(ScimGroup.display_name)
            .join(scim_group_member, scim_group_member.c.group_id == ScimGroup.id)
            .where(ScimGroup.provider_id == provider.id, scim_group_member.c.user_id == user.id)
        ).scalars()
    )


def bring_in_line(user: User, kommun_id: int, role: Role, teams: list[Team]) -> None:
    """The user's role, and teams in the kommun, as the provider's groups give them; a change
    of rights ends the user's sessions (they log in again with the new ones)."""
    before = {
        "role": user.role.value,
        "teams": sorted(t.name for t in user.all_teams if t.kommun_id == kommun_id),
    }
    user.role = role
    user.all_teams = [t for t in user.all_teams if t.kommun_id != kommun_id] + teams
    after = {"role": role.value, "teams": sorted(t.name for t in teams)}
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    if changed:
        record_account(
            AuditAction.UPDATE, user, by=None, detail="identity provider:" + ",".join(changed)
        )
        end_every_session(user, by=None, why="rights changed at the identity provider")
    db.session.flush()


_UNSAFE = re.compile(r"[^\w.@-]+")


def _free_username(wanted: str) -> str:
    """The wanted username, or with a number after it when someone has it already (a person
    of another kommun with the same name at their provider, or an account of Outreach's own:
    never taken over)."""
    base = _UNSAFE.sub("", wanted.strip())[:50] or "user"
    candidate, number = base, 1
    while db.session.execute(
        select(User.id).where(func.lower(User.username) == candidate.lower())
    ).first():
        number += 1
        candidate = f"{base}-{number}"
    return candidate
