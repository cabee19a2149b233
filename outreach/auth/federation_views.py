"""Login through the kommun's identity provider (OpenID Connect): the way to the provider and
back, and the provider's word that someone logged out there (back-channel logout).

Whatever the provider's answer lacks (a state this browser did not start, a token for another
client, expired, or not signed by the provider, groups that give no role) ends at the login
page with one clear message, and no session.
"""

import hmac
import re
import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer

from outreach.auth import bp, federation, oidc, provisioning, saml
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


def saml_addresses(provider) -> saml.Addresses:
    """Outreach's addresses as the service provider of the provider's kommun."""
    code = provider.kommun.code
    return saml.Addresses(
        entity_id=url_for("auth.saml_metadata", code=code, _external=True),
        acs=url_for("auth.saml_acs", code=code, _external=True),
        slo=url_for("auth.saml_slo", code=code, _external=True),
    )


@bp.route("/logga-in/via/<code>")
@public
def provider_begin(code: str):
    """Go to the identity provider of the kommun with this code, to log in there."""
    provider = federation.provider_for(code)
    if provider is None:
        flash(_("There is no login through an identity provider for that kommun."), "info")
        return redirect(url_for("auth.login"), 303)
    try:
        if provider.kind == ProviderKind.SAML:
            request_id, address = saml.begin(provider, saml_addresses(provider))
            started = {"request_id": request_id}
        else:
            started = oidc.begin(provider, _callback_url())
            address = started["url"]
    except (provisioning.LoginFailed, RuntimeError) as refusal:
        if isinstance(refusal, RuntimeError):
            refusal = provisioning.LoginFailed(provider, str(refusal))
        return login_page(status=502, refusal=refusal)
    started |= {
        "provider": provider.id,
        "next": request.args.get("next"),
        "since": int(time.time()),
    }
    answer = redirect(address, 303)
    if provider.kind == ProviderKind.SAML:
        _keep_saml_login(answer, started)
    else:
        session[STARTED] = {key: started.get(key) for key in OIDC_KEPT}
    return answer


#: What an OpenID Connect login keeps in the browser's session until the provider answers.
OIDC_KEPT = ("provider", "state", "nonce", "code_verifier", "next", "since")
#: The cookie that keeps a SAML login until the provider answers. Its answer comes as a POST
#: from the provider's site, which a SameSite=Lax session cookie does not come with: this one
#: is SameSite=None (over HTTPS), signed, for the assertion consumer service only.
SAML_STARTED = "outreach_saml_login"


def _saml_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="saml-login")


def _keep_saml_login(answer, started: dict) -> None:
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    answer.set_cookie(
        SAML_STARTED,
        _saml_signer().dumps(started),
        max_age=PENDING_SECONDS,
        path="/saml/",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",  # browsers refuse None without Secure
    )


def saml_started():
    """The SAML login this browser started, and its provider; None when there is none, it
    took too long, or the cookie was not made here."""
    try:
        started = _saml_signer().loads(
            request.cookies.get(SAML_STARTED, ""), max_age=PENDING_SECONDS
        )
    except BadData:
        return None
    provider = federation.provider(started.get("provider"))
    return (started, provider) if provider is not None else None


def forget_saml_login(answer):
    """The SAML login is over: its cookie goes (the same answer only once)."""
    answer.delete_cookie(SAML_STARTED, path="/saml/")
    return answer


def started_login():
    """The OpenID Connect login this browser started (and took out of its session), and its
    provider; None when there is none, or it took too long."""
    started = session.pop(STARTED, None)
    if not isinstance(started, dict) or time.time() - started.get("since", 0) > PENDING_SECONDS:
        return None
    provider = federation.provider(started.get("provider"))
    return (started, provider) if provider is not None else None


def refused(provider, refusal: RuleViolation):
    """The login page with the refusal, audited: 400 for an answer that did not hold, 403 for
    a person the provider vouched for who may not log in here."""
    federation.record_refusal(provider, getattr(refusal, "reason", str(refusal.message)))
    status = 400 if isinstance(refusal, provisioning.LoginFailed) else 403
    return login_page(status=status, refusal=refusal)


@bp.route("/logga-in/oidc")
@public
def oidc_callback():
    """The provider sends the browser back here: check its answer, then log the person in."""
    found = started_login()
    if found is None or found[1].kind != ProviderKind.OIDC:
        return login_page(status=400, refusal=RuleViolation(NOT_STARTED))
    started, provider = found
    state = request.args.get("state", "")
    try:
        if not hmac.compare_digest(state.encode(), str(started["state"]).encode()):
            raise provisioning.LoginFailed(
                provider, "the state is not the one this browser started"
            )
        if request.args.get("error"):
            said = re.sub(r"[^a-z_]", "", request.args["error"])[:40]  # an error code, no more
            raise provisioning.LoginFailed(provider, f"the provider answered {said}")
        assertion, id_token = oidc.finish(
            provider,
            code=request.args.get("code", ""),
            redirect_uri=_callback_url(),
            code_verifier=started["code_verifier"],
            nonce=started["nonce"],
        )
        user = provisioning.provision(assertion)
    except RuleViolation as refusal:
        return refused(provider, refusal)
    return vouched_for(user, assertion, started, provider, id_token)


def vouched_for(user, assertion, started: dict, provider, held: str, protocol: str = ""):
    """The provider vouched for the person: the login's last steps (the second factor, unless
    the provider vouched for one too)."""
    how = f"identity provider{protocol}" + (", multi-factor" if assertion.multi_factor else "")
    return start_login(
        user,
        how,
        started.get("next"),
        vouched=assertion.multi_factor,
        provider=provider,
        held=held,
    )


#: The session that logged out here, to end at its provider too.
ENDED = "ended_session"


@bp.route("/utloggad")
@public
def provider_logout():
    """After logging out here, on to the provider to end its session too: a page that goes on
    by itself (a form may not send the browser to another site)."""
    found = federation.provider_session(session.pop(ENDED, None))
    then = None
    if found and found[0].kind == ProviderKind.SAML:
        then = saml.logout_url(found[0], saml_addresses(found[0]), found[1])
    elif found:
        then = oidc.logout_url(*found, url_for("auth.login", _external=True))
    if not then:
        return redirect(url_for("auth.login"), 303)
    return render("auth/provider_logout.html", provider=found[0], then=then)


@bp.route("/logga-in/via/<code>/utloggning", methods=["POST"])
@public
@csrf.exempt
def oidc_logged_out(code: str):
    """Back-channel logout: the kommun's provider says that someone logged out there; their
    sessions here end too."""
    provider = federation.provider_for(code)
    if provider is None or provider.kind != ProviderKind.OIDC:
        return "", 400  # no provider of that kommun to verify the token with
    try:
        subject = oidc.logged_out_subject(provider, request.form.get("logout_token", ""))
    except provisioning.LoginFailed:
        return "", 400
    federation.logged_out_at_provider(provider, subject)
    return "", 200
