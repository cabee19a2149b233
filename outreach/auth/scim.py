"""SCIM 2.0 (RFC 7643, RFC 7644) for a kommun's identity provider: it makes, changes and stops
the kommun's accounts, and keeps its groups here; a group's members get the role and team the
kommun's group mappings give (auth/provisioning.py), at once.

scim2-models parses, validates, filters and patches the resources; this module maps them to
Outreach's accounts. The provider sees only the accounts it knows (those with an identity at
it), never a local account such as the break-glass admin. A user it stops (active false, or
deleted) cannot log in, and every session of theirs ends at once; a deleted user's account is
kept, stopped, for the record.
"""

import hashlib
import hmac
import secrets

from scim2_models import (
    ConflictException,
    InvalidValueException,
    Meta,
    NotFoundException,
    ScimFilter,
)
from sqlalchemy import delete, func, insert, select

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth import provisioning, scim_schema
from outreach.auth.models import ExternalIdentity, IdentityProvider, Role, ScimGroup, User
from outreach.auth.models import scim_group_member as members_table
from outreach.auth.services import create_user, end_every_session
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db

# --- the token -------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(provider: IdentityProvider) -> str:
    """A new bearer token for the provider's SCIM client (the old one stops working); shown
    once, kept only as its hash."""
    token = secrets.token_urlsafe(32)
    provider.scim_token_hash, provider.scim_token_created_at = _digest(token), now()
    db.session.flush()
    return token


def provider_of_token(token: str) -> IdentityProvider | None:
    """The enabled provider whose SCIM token this is."""
    if not token:
        return None
    digest = _digest(token)
    provider = db.session.execute(
        select(IdentityProvider).where(IdentityProvider.scim_token_hash == digest)
    ).scalar_one_or_none()
    if provider is None or not provider.is_enabled:
        return None
    return provider if hmac.compare_digest(provider.scim_token_hash, digest) else None


def _record(provider: IdentityProvider, action, entity: str, entity_id: int, detail: str):
    audit.record(
        action,
        entity,
        entity_id,
        user_id=None,
        kommun_id=provider.kommun_id,
        detail=f"scim: {detail}",
    )


# --- users -----------------------------------------------------------------------------------


def _identities(provider: IdentityProvider):
    return (
        select(ExternalIdentity)
        .where(ExternalIdentity.provider_id == provider.id)
        .order_by(ExternalIdentity.user_id)
    )


def user_resource(identity: ExternalIdentity, location: str) -> scim_schema.User:
    user = identity.user
    return scim_schema.User(
        id=str(user.id),
        external_id=identity.external_id,
        user_name=user.username,
        display_name=user.display_name,
        active=user.is_enabled,
        meta=Meta(
            resource_type="User",
            created=identity.created_at,
            last_modified=identity.created_at,
            location=f"{location}/{user.id}",
        ),
    )


def find_users(
    provider: IdentityProvider, location: str, filter_: ScimFilter | None
) -> list[scim_schema.User]:
    """The provider's users (those matching the filter)."""
    found = [
        user_resource(identity, location)
        for identity in db.session.execute(_identities(provider)).scalars()
    ]
    return [user for user in found if filter_ is None or filter_.match(user)]


def identity_of(provider: IdentityProvider, user_id: str) -> ExternalIdentity:
    """The provider's user with this id; NotFoundException otherwise (also for an account
    the provider does not know, and for one of another kommun)."""
    if not user_id.isdecimal() or len(user_id) > 9:
        raise NotFoundException(detail="No such user.")
    identity = db.session.execute(
        _identities(provider).where(ExternalIdentity.user_id == int(user_id))
    ).scalar_one_or_none()
    if identity is None:
        raise NotFoundException(detail="No such user.")
    return identity


SHARED = (
    "The account works for several kommuner: its userName, displayName and whether it is in "
    "use are kept in Outreach. Removing it here takes it out of this kommun."
)


def _check_lengths(username: str, resource: scim_schema.User) -> None:
    if not username:
        raise InvalidValueException(detail="userName is required.")
    for value, most, name in (
        (username, 60, "userName"),
        (resource.display_name or "", 120, "displayName"),
        (resource.external_id or "", 255, "externalId"),
    ):
        if len(value) > most:
            raise InvalidValueException(detail=f"{name} is longer than {most} characters.")


def _username_free(username: str, user: User | None) -> None:
    taken = db.session.execute(
        select(User.id).where(func.lower(User.username) == username.lower())
    ).scalar()
    if taken is not None and (user is None or taken != user.id):
        raise ConflictException(detail="The userName is taken.")


def _subject_free(provider: IdentityProvider, subject: str, identity: ExternalIdentity | None):
    taken = db.session.execute(
        select(ExternalIdentity.id).where(
            ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == subject
        )
    ).scalar()
    if taken is not None and (identity is None or taken != identity.id):
        raise ConflictException(detail="The externalId is taken.")


def create(provider: IdentityProvider, resource: scim_schema.User) -> ExternalIdentity:
    """A new account of the kommun. It opens nothing until one of its groups maps to a role
    and team (a field worker of no team sees nothing)."""
    username = (resource.user_name or "").strip()
    _check_lengths(username, resource)
    subject = resource.external_id or username
    _username_free(username, None)
    _subject_free(provider, subject, None)
    try:
        user = create_user(
            username=username,
            display_name=(resource.display_name or username).strip(),
            role=Role.FIELD_WORKER,
            password=None,
            teams=[],
            kommun=provider.kommun,
        )
    except RuleViolation as refusal:
        raise InvalidValueException(detail=str(refusal.message)) from refusal
    identity = ExternalIdentity(
        kommun_id=provider.kommun_id,
        provider_id=provider.id,
        user_id=user.id,
        subject=subject,
        external_id=resource.external_id,
    )
    db.session.add(identity)
    db.session.flush()
    if resource.active is False:
        user.is_enabled = False
    _record(provider, AuditAction.CREATE, "user", user.id, "created")
    return identity


def save(
    provider: IdentityProvider, identity: ExternalIdentity, resource: scim_schema.User
) -> None:
    """The account as the resource says (after a replacement, or a patch applied to it)."""
    user = identity.user
    username = (resource.user_name or "").strip()
    _check_lengths(username, resource)
    if provisioning.shared(user) and (
        username != user.username
        or (resource.display_name and resource.display_name != user.display_name)
        or (resource.active is False) != (not user.is_enabled)
    ):
        raise InvalidValueException(detail=SHARED)
    _username_free(username, user)
    subject = resource.external_id or identity.subject  # removed: the login's key stays
    _subject_free(provider, subject, identity)
    changed = []
    if username != user.username:
        user.username = username
        changed.append("userName")
    if resource.display_name and resource.display_name != user.display_name:
        user.display_name = resource.display_name
        changed.append("displayName")
    if (subject, resource.external_id) != (identity.subject, identity.external_id):
        identity.subject, identity.external_id = subject, resource.external_id
        changed.append("externalId")
    enabled = resource.active is not False
    if enabled != user.is_enabled:
        user.is_enabled = enabled
        changed.append("active")
        if not enabled:
            end_every_session(user, by=None, why="stopped by the identity provider")
    db.session.flush()
    if changed:
        _record(provider, AuditAction.UPDATE, "user", user.id, ",".join(changed))


def remove(provider: IdentityProvider, identity: ExternalIdentity) -> None:
    """Deleted at the provider: the account stops, its sessions end, the provider no longer
    knows it; the account stays, stopped, for the record."""
    user = identity.user
    if provisioning.shared(user):  # the account goes on in the other kommuner
        provisioning.no_access(user, provider.kommun_id)
    else:
        user.is_enabled = False
    end_every_session(user, by=None, why="deleted by the identity provider")
    db.session.execute(delete(members_table).where(members_table.c.user_id == user.id))
    db.session.delete(identity)
    db.session.flush()
    _record(provider, AuditAction.UPDATE, "user", user.id, "deleted")


# --- groups ----------------------------------------------------------------------------------


def group_resource(group: ScimGroup, location: str, users_location: str) -> scim_schema.Group:
    return scim_schema.Group(
        id=str(group.id),
        external_id=group.external_id,
        display_name=group.display_name,
        members=[
            scim_schema.Member(
                value=str(user.id),
                type=scim_schema.MemberType.USER,
                ref=f"{users_location}/{user.id}",
            )
            for user in group.members
        ]
        or None,
        meta=Meta(
            resource_type="Group",
            created=group.created_at,
            last_modified=group.updated_at,
            location=f"{location}/{group.id}",
        ),
    )


def _groups(provider: IdentityProvider):
    return select(ScimGroup).where(ScimGroup.provider_id == provider.id).order_by(ScimGroup.id)


def find_groups(
    provider: IdentityProvider, location: str, users_location: str, filter_: ScimFilter | None
) -> list[scim_schema.Group]:
    """The provider's groups (those matching the filter)."""
    found = [
        group_resource(group, location, users_location)
        for group in db.session.execute(_groups(provider)).scalars()
    ]
    return [group for group in found if filter_ is None or filter_.match(group)]


def group_of(provider: IdentityProvider, group_id: str) -> ScimGroup:
    if not group_id.isdecimal() or len(group_id) > 9:
        raise NotFoundException(detail="No such group.")
    group = db.session.execute(
        _groups(provider).where(ScimGroup.id == int(group_id))
    ).scalar_one_or_none()
    if group is None:
        raise NotFoundException(detail="No such group.")
    return group


def create_group(provider: IdentityProvider, resource: scim_schema.Group) -> ScimGroup:
    group = ScimGroup(
        kommun_id=provider.kommun_id,
        provider_id=provider.id,
        display_name=(resource.display_name or "").strip(),
    )
    db.session.add(group)
    save_group(provider, group, resource, created=True)
    return group


def save_group(
    provider: IdentityProvider,
    group: ScimGroup,
    resource: scim_schema.Group,
    created: bool = False,
) -> None:
    """The group as the resource says; its old and new members get their rights anew."""
    name = (resource.display_name or "").strip()
    if not name:
        raise InvalidValueException(detail="displayName is required.")
    wanted = set()
    for member in resource.members or []:
        try:
            wanted.add(identity_of(provider, member.value or "").user_id)
        except NotFoundException as unknown:
            raise InvalidValueException(
                detail="A member is not a user of this provider."
            ) from unknown
    group.display_name, group.external_id = name, resource.external_id
    group.updated_at = now()
    db.session.flush()
    before = set(
        db.session.execute(
            select(members_table.c.user_id).where(members_table.c.group_id == group.id)
        ).scalars()
    )
    db.session.execute(delete(members_table).where(members_table.c.group_id == group.id))
    if wanted:
        db.session.execute(
            insert(members_table),
            [
                {"group_id": group.id, "user_id": user_id, "kommun_id": group.kommun_id}
                for user_id in sorted(wanted)
            ],
        )
    db.session.expire(group, ["members"])
    _record(
        provider,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "scim_group",
        group.id,
        name,
    )
    _apply_rights(provider, before | wanted)


def remove_group(provider: IdentityProvider, group: ScimGroup) -> None:
    members = {user.id for user in group.members}
    _record(provider, AuditAction.UPDATE, "scim_group", group.id, "deleted")
    db.session.delete(group)
    db.session.flush()
    _apply_rights(provider, members)


def mapping_removed(provider: IdentityProvider, mapping) -> None:
    """A group gives nothing any more: the accounts the provider keeps here over SCIM get
    their rights anew; those it vouches for only at login and that hold what the group gave
    are logged out, to get their rights at the next login."""
    identities = db.session.execute(_identities(provider)).scalars().all()
    kept_here = set()
    for identity in identities:
        user = identity.user
        if provisioning.groups_of(provider, user):
            kept_here.add(user.id)
        elif user.role == mapping.role and (
            mapping.team_id is None or any(t.id == mapping.team_id for t in user.all_teams)
        ):
            end_every_session(user, by=None, why="a group at the identity provider was removed")
    _apply_rights(provider, kept_here)


def _apply_rights(provider: IdentityProvider, user_ids: set[int]) -> None:
    """Each user's role and teams as their groups give them now; no mapped group: no team."""
    for user in db.session.execute(select(User).where(User.id.in_(user_ids))).scalars():
        try:
            role, teams = provisioning.rights_of(provider, provisioning.groups_of(provider, user))
        except RuleViolation:
            provisioning.no_access(user, provider.kommun_id)
            continue
        if provisioning.shared(user) and role != user.role:
            provisioning.no_access(user, provider.kommun_id)
            continue
        provisioning.bring_in_line(user, provider.kommun_id, role, teams)
