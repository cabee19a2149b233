"""The admin's page of the kommun's identity provider: the provider's settings, the addresses
to register at it, and which of its groups give which role and team."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from outreach import policy
from outreach.admin import bp, identity
from outreach.admin.forms import GroupMappingForm, IdentityProviderForm, RemoveMappingForm
from outreach.fields import options
from outreach.htmx import render
from outreach.org import services as org_services
from outreach.views_common import form_status, submit


def _mapping_form(formdata=None) -> tuple[GroupMappingForm, dict]:
    form = GroupMappingForm() if formdata is None else GroupMappingForm(formdata=formdata)
    teams = {team.id: team for team in org_services.teams(current_user.kommun_id)}
    form.team.choices = options([("", _("No team")), *((t.id, t.name) for t in teams.values())])
    return form, teams


def _page(form=None, mapping_form=None, status: int = 200):
    provider = identity.provider_of(current_user.kommun_id)
    kommun = current_user.kommun
    if form is None:
        form = IdentityProviderForm(formdata=None, obj=provider)
        if provider is None:
            form.display_name.data = kommun.name
    return render(
        "admin/identity.html",
        status=status,
        provider=provider,
        form=form,
        mapping_form=mapping_form or _mapping_form(formdata=None)[0],
        addresses={
            _("OpenID Connect: redirect URI (reply URL)"): url_for(
                "auth.oidc_callback", _external=True
            ),
            _("OpenID Connect: after logout"): url_for("auth.login", _external=True),
            _("OpenID Connect: back-channel logout URI"): url_for(
                "auth.oidc_logged_out", code=kommun.code, _external=True
            ),
            _("SAML: the service provider's metadata (its entity id)"): url_for(
                "auth.saml_metadata", code=kommun.code, _external=True
            ),
            _("SAML: assertion consumer service (POST)"): url_for(
                "auth.saml_acs", code=kommun.code, _external=True
            ),
            _("SAML: single logout (Redirect)"): url_for(
                "auth.saml_slo", code=kommun.code, _external=True
            ),
        },
    )


@bp.route("/inloggning", methods=["GET", "POST"])
@policy.allow(policy.admin)
def identity_provider():
    """The kommun's identity provider: set it up, change it, or turn passwords off."""
    form = IdentityProviderForm()
    if not form.is_submitted():
        return _page()
    outcome = submit(
        form,
        lambda: identity.save_provider(
            current_user.kommun,
            by=current_user,
            settings=identity.ProviderSettings(
                kind=form.kind.data,
                display_name=form.display_name.data,
                issuer=form.issuer.data or "",
                client_id=form.client_id.data or "",
                client_secret=form.client_secret.data or None,
                idp_metadata=form.idp_metadata.data or "",
                subject_claim=form.subject_claim.data,
                username_claim=form.username_claim.data,
                groups_claim=form.groups_claim.data,
                mfa_values=form.mfa_values.data or "",
                local_login=form.local_login.data,
                is_enabled=form.is_enabled.data,
            ),
        ),
    )
    if outcome.saved:
        flash(_("The identity provider is saved."), "success")
        return redirect(url_for("admin.identity_provider"), 303)
    return _page(form=form, status=form_status(form, outcome))


@bp.route("/inloggning/scim-token", methods=["POST"])
@policy.allow(policy.admin)
def new_scim_token():
    """A new SCIM token for the provider, shown once (the one before stops working)."""
    provider = identity.provider_of(current_user.kommun_id)
    form = FlaskForm()
    if provider is None:
        flash(_("Set up the identity provider first."), "info")
        return redirect(url_for("admin.identity_provider"), 303)
    outcome = submit(form, lambda: identity.new_scim_token(provider, by=current_user))
    if not outcome.saved:
        return redirect(url_for("admin.identity_provider"), 303)
    return render(
        "admin/scim_token.html",
        token=outcome.result,
        base=url_for("auth.scim_config", _external=True).removesuffix("/ServiceProviderConfig"),
    )


@bp.route("/inloggning/grupper", methods=["POST"])
@policy.allow(policy.admin)
def add_group_mapping():
    """A group at the provider now gives a role, and a team."""
    form, teams = _mapping_form()
    provider = identity.provider_of(current_user.kommun_id)
    if provider is None:
        flash(_("Set up the identity provider first."), "info")
        return redirect(url_for("admin.identity_provider"), 303)
    outcome = submit(
        form,
        lambda: identity.add_mapping(
            provider,
            by=current_user,
            group=form.group.data,
            role=form.role.data,
            team=teams.get(form.team.data),
        ),
    )
    if outcome.saved:
        flash(_("The group is added."), "success")
        return redirect(url_for("admin.identity_provider"), 303)
    return _page(mapping_form=form, status=form_status(form, outcome))


@bp.route("/inloggning/grupper/ta-bort", methods=["POST"])
@policy.allow(policy.admin)
def remove_group_mapping():
    """The group gives nothing any more."""
    form = RemoveMappingForm()
    provider = identity.provider_of(current_user.kommun_id)
    if provider is None:
        flash(_("Set up the identity provider first."), "info")
        return redirect(url_for("admin.identity_provider"), 303)
    outcome = submit(
        form,
        lambda: identity.remove_mapping(
            provider, by=current_user, mapping_id=int(form.mapping.data)
        ),
    )
    if outcome.saved:
        flash(_("The group is removed."), "success")
    else:
        flash(_("Nothing was removed: the list had changed. Look at it again."), "info")
    return redirect(url_for("admin.identity_provider"), 303)
