"""The admin's settings of the kommun's identity provider: the provider itself, and which of
its groups give which role and team in Outreach (auth/provisioning.py applies them at each
login)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.admin.services import record_change
from outreach.audit import apply_changes
from outreach.auth import federation, saml, scim
from outreach.auth.models import GroupMapping, IdentityProvider, ProviderKind, Role, User
from outreach.auth.services import check_teams_of
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Kommun, Team

#: Roles that belong to no team (as auth/provisioning.py gives them).
WITHOUT_TEAMS = {Role.ADMIN, Role.COORDINATOR}


@dataclass
class ProviderSettings:
    """What the admin sets on the provider; a client secret of None keeps the saved one."""

    kind: ProviderKind
    display_name: str
    issuer: str
    client_id: str
    client_secret: str | None
    idp_metadata: str
    subject_claim: str
    username_claim: str
    groups_claim: str
    mfa_values: str
    local_login: bool
    is_enabled: bool


def provider_of(kommun_id: int | None) -> IdentityProvider | None:
    """The kommun's identity provider, if it has one."""
    return db.session.execute(
        select(IdentityProvider).where(IdentityProvider.kommun_id == kommun_id)
    ).scalar_one_or_none()


def _protocol_values(provider: IdentityProvider | None, settings: ProviderSettings) -> dict:
    """What the protocol needs, checked: for OpenID Connect the issuer, client id and a
    secret; for SAML the provider's metadata (its entity id becomes the issuer)."""
    if settings.kind == ProviderKind.SAML:
        metadata = settings.idp_metadata.strip()
        if not metadata:
            raise RuleViolation(_l("Paste the provider's metadata."), "idp_metadata")
        return {"issuer": saml.provider_entity_id(metadata), "idp_metadata": metadata}
    issuer, client_id = settings.issuer.strip().rstrip("/"), settings.client_id.strip()
    if not issuer:
        raise RuleViolation(_l("Enter the issuer."), "issuer")
    if not federation.secure_address(issuer):
        raise RuleViolation(_l("Enter an address that starts with https://"), "issuer")
    if not client_id:
        raise RuleViolation(_l("Enter the client id."), "client_id")
    if not settings.client_secret and not (provider and provider.client_secret):
        raise RuleViolation(_l("Enter the client secret."), "client_secret")
    return {"issuer": issuer, "client_id": client_id}


def save_provider(kommun: Kommun, *, by: User, settings: ProviderSettings) -> IdentityProvider:
    """Set up, or change, the kommun's identity provider. A SAML provider gets Outreach's key
    pair for the kommun the first time. The secret is never written to the audit trail, only
    that it changed."""
    provider = provider_of(kommun.id)
    values = {
        "kind": settings.kind,
        "display_name": settings.display_name.strip(),
        **_protocol_values(provider, settings),
        "subject_claim": settings.subject_claim.strip(),
        "username_claim": settings.username_claim.strip(),
        "groups_claim": settings.groups_claim.strip(),
        "mfa_values": " ".join(settings.mfa_values.split()),
        "local_login": settings.local_login,
        "is_enabled": settings.is_enabled,
    }
    if not values["display_name"]:
        raise RuleViolation(_l("Enter a name."), "display_name")
    if provider is None:
        provider = IdentityProvider(kommun_id=kommun.id)
        db.session.add(provider)
    changed = apply_changes(provider, values)
    if settings.client_secret and settings.client_secret != provider.client_secret:
        provider.client_secret = settings.client_secret
        changed["client_secret"] = ("…", "…")
    if provider.kind == ProviderKind.SAML and not provider.sp_certificate:
        provider.sp_private_key, provider.sp_certificate = saml.new_key_pair(kommun.name)
        changed["sp_certificate"] = (None, "…")
    if "idp_metadata" in changed:
        changed["idp_metadata"] = ("…", "…")  # long XML: that it changed is enough
    db.session.flush()
    record_change("identity_provider", provider.id, changed, by=by)
    return provider


def new_scim_token(provider: IdentityProvider, *, by: User) -> str:
    """A new SCIM token for the provider (the one before stops working); shown once."""
    token = scim.new_token(provider)
    record_change("identity_provider", provider.id, {"scim_token": ("…", "…")}, by=by)
    return token


def add_mapping(
    provider: IdentityProvider, *, by: User, group: str, role: Role, team: Team | None
) -> GroupMapping:
    """A group at the provider now gives this role (and team) to its members."""
    group = group.strip()
    if not group:
        raise RuleViolation(_l("Enter the group."), "group")
    if team is not None and role in WITHOUT_TEAMS:
        raise RuleViolation(_l("That role belongs to no team: choose no team."), "team")
    check_teams_of(role, [team] if team else [])
    if any(
        m.group == group and m.team_id == (team.id if team else None) for m in provider.mappings
    ):
        raise RuleViolation(_l("That group gives that team already."), "group")
    mapping = GroupMapping(
        kommun_id=provider.kommun_id,
        group=group,
        role=role,
        team_id=team.id if team else None,
    )
    provider.mappings.append(mapping)
    db.session.flush()
    record_change(
        "group_mapping",
        mapping.id,
        {"group": (None, group), "role": (None, role.value), "team": (None, team and team.name)},
        by=by,
    )
    return mapping


def remove_mapping(provider: IdentityProvider, *, by: User, mapping_id: int) -> None:
    """The group gives nothing any more (from its members' next login)."""
    mapping = next((m for m in provider.mappings if m.id == mapping_id), None)
    if mapping is None:
        raise RuleViolation(_l("That group is not in the list any more."))
    provider.mappings.remove(mapping)
    db.session.flush()
    record_change("group_mapping", mapping_id, {"group": (mapping.group, None)}, by=by)
    scim.mapping_removed(provider, mapping)
