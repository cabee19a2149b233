"""Login through the kommun's identity provider (OpenID Connect): the way to the provider and
back, and the provider's word that someone logged out there (back-channel logout).

Whatever the provider's answer lacks (a state this browser did not start, a token for another
client, expired, or not signed by the provider, groups that give no role) ends at the login
page with one clear message, and no session.
"""

import hmac
import time

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from outreach.auth import bp, federation, oidc, provisioning
from outreach.auth.login_views import PENDING_SECONDS, login_page, start_login
from outreach.auth.models import ProviderKind
from outreach.errors import RuleViolation
from outreach.extensions import csrf
from outreach.htmx import render
from outreach.policy import public

#: What the browser's session keeps between leaving for the provider and coming back.
STARTED = "provider_login"
NOT_STARTED = _l(
    "This login was not started in this browser, or it took too long. Start it again from the "
    "login page."
)


def _callback_url() -> str:
    return url_for("auth.oidc_callback", _external=True)


@bp.route("/logga-in/via/<code>")
@public
def oidc_begin(code: str):
    """Go to the identity provider of the kommun with this code, to log in there."""
    provider = federation.provider_for(code, ProviderKind.OIDC)
    if provider is None:
        flash(_("There is no login through an identity provider for that kommun."), "info")
        return redirect(url_for("auth.login"), 303)
    try:
        started = oidc.begin(provider, _callback_url())
    except oidc.LoginFailed as refusal:
        return login_page(status=502, refusal=refusal)
    session[STARTED] = {
        "provider": provider.id,
        "state": started["state"],
        "nonce": started["nonce"],
        "verifier": started["code_verifier"],
        "next": request.args.get("next"),
        "since": int(time.time()),
    }
    return redirect(started["url"], 303)


@bp.route("/logga-in/oidc")
@public
def oidc_callback():
    """The provider sends the browser back here: check its answer, then log the person in."""
    started = session.pop(STARTED, None)
    if not isinstance(started, dict) or time.time() - started.get("since", 0) > PENDING_SECONDS:
        return login_page(status=400, refusal=RuleViolation(NOT_STARTED))
    provider = federation.provider(started.get("provider"))
    if provider is None:
        return login_page(status=400, refusal=RuleViolation(NOT_STARTED))
    state = request.args.get("state", "")
    try:
        if not hmac.compare_digest(state.encode(), str(started["state"]).encode()):
            raise oidc.LoginFailed(provider, "the state is not the one this browser started")
        if request.args.get("error"):
            raise oidc.LoginFailed(provider, f"the provider answered {request.args['error']}")
        assertion, id_token = oidc.finish(
            provider,
            code=request.args.get("code", ""),
            redirect_uri=_callback_url(),
            code_verifier=started["verifier"],
            nonce=started["nonce"],
        )
        user = provisioning.provision(assertion)
    except RuleViolation as refusal:
        federation.record_refusal(provider, getattr(refusal, "reason", str(refusal.message)))
        status = 400 if isinstance(refusal, oidc.LoginFailed) else 403
        return login_page(status=status, refusal=refusal)
    how = "identity provider" + (", multi-factor" if assertion.multi_factor else "")
    return start_login(
        user,
        how,
        started.get("next"),
        vouched=assertion.multi_factor,
        provider=provider,
        id_token=id_token,
    )


#: The session that logged out here, to end at its provider too.
ENDED = "ended_session"


@bp.route("/utloggad")
@public
def provider_logout():
    """After logging out here, on to the provider to end its session too: a page that goes on
    by itself (a form may not send the browser to another site)."""
    found = federation.provider_session(session.pop(ENDED, None))
    then = found and oidc.logout_url(*found, url_for("auth.login", _external=True))
    if not then:
        return redirect(url_for("auth.login"), 303)
    return render("auth/provider_logout.html", provider=found[0], then=then)


@bp.route("/logga-in/via/<code>/utloggning", methods=["POST"])
@public
@csrf.exempt
def oidc_logged_out(code: str):
    """Back-channel logout: the kommun's provider says that someone logged out there; their
    sessions here end too."""
    provider = federation.provider_for(code, ProviderKind.OIDC)
    if provider is None:
        return "", 400  # no provider of that kommun to verify the token with
    try:
        subject = oidc.logged_out_subject(provider, request.form.get("logout_token", ""))
    except oidc.LoginFailed:
        return "", 400
    federation.logged_out_at_provider(provider, subject)
    return "", 200
