"""Login through a kommun's SAML 2.0 identity provider: Outreach's metadata as the kommun's
service provider, the assertion consumer service the provider posts its answer to, and single
logout both ways. The way there starts at federation_views.provider_begin, as for OpenID
Connect."""

from flask import Response, abort, redirect, request, url_for

from outreach.auth import bp, federation, provisioning, saml
from outreach.auth.federation_views import (
    NOT_STARTED,
    forget_saml_login,
    refused,
    saml_addresses,
    saml_started,
    vouched_for,
)
from outreach.auth.login_views import login_page
from outreach.auth.models import ProviderKind
from outreach.errors import RuleViolation
from outreach.extensions import csrf
from outreach.policy import public


def _saml_provider(code: str):
    provider = federation.provider_for(code)
    if provider is None or provider.kind != ProviderKind.SAML or not provider.sp_certificate:
        abort(404)
    return provider


@bp.route("/saml/<code>/metadata")
@public
def saml_metadata(code: str):
    """Outreach's SAML metadata as the kommun's service provider (its entity id is this
    address), to register at the identity provider."""
    provider = _saml_provider(code)
    return Response(
        saml.metadata(provider, saml_addresses(provider)), mimetype="application/samlmetadata+xml"
    )


@bp.route("/saml/<code>/acs", methods=["POST"])
@public
@csrf.exempt
def saml_acs(code: str):
    """The provider posts its answer here (through the browser): check it, then log in."""
    found = saml_started()
    if found is None or found[1].kind != ProviderKind.SAML or found[1].kommun.code != code:
        return forget_saml_login(login_page(status=400, refusal=RuleViolation(NOT_STARTED)))
    started, provider = found
    try:
        assertion, held = saml.finish(
            provider,
            saml_addresses(provider),
            request.form.get("SAMLResponse", ""),
            started.get("request_id") or "",
        )
        user = provisioning.provision(assertion)
    except RuleViolation as refusal:
        return forget_saml_login(refused(provider, refusal))
    return forget_saml_login(vouched_for(user, assertion, started, provider, held, " (SAML)"))


@bp.route("/saml/<code>/slo")
@public
def saml_slo(code: str):
    """Single logout: the provider's own logout request (every session of that person here
    ends), or its answer to Outreach's (then on to the login page)."""
    provider = _saml_provider(code)
    if "SAMLRequest" not in request.args:
        return redirect(url_for("auth.login"), 303)
    try:
        name_id, back = saml.logged_out(provider, saml_addresses(provider), request.args.to_dict())
    except provisioning.LoginFailed:
        abort(400)
    federation.logged_out_at_provider(provider, name_id)
    return redirect(back, 303)
