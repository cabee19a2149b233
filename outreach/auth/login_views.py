"""The login's steps, shared by the password login and the login through a kommun's identity
provider: the pending login between the first step and the second factor, the fresh session
at the end, and the login page.

Logging in is two steps when a second factor is due: the first step (a password, or the
provider's word) makes the session "pending" (it names the user, for five minutes, and opens
nothing); the code from the app, or a recovery code, completes the login and only then is a
server-side session started. A user who must use a second factor and has none enrols before
the login completes. A provider that vouches for a login with several factors is the second
factor itself.
"""

import time
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user

from outreach import policy
from outreach.auth import federation, services
from outreach.auth.forms import LanguageForm, LoginForm
from outreach.auth.models import User
from outreach.extensions import login_manager
from outreach.htmx import render
from outreach.vocabulary import LANGUAGES


@login_manager.user_loader
def load_user(session_user_id: str) -> User | None:
    """The user of a session, unless their sessions were invalidated since; the login session
    the cookie names is kept for the request (auth.views.check_session)."""
    user_id, _sep, epoch = session_user_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user, g.login_session = services.user_of_session(int(user_id), int(epoch), session.get("sid"))
    return user


PROVIDER_ONLY = _l(
    "Your kommun logs in through its identity provider: use the button with its name above."
)


def safe_next(target: str | None) -> str:
    """Only redirect to a plain path on this site after login."""
    if target and target.startswith("/") and target.isprintable() and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("home.start")


# --- the pending login between password and second factor ------------------------------------

PENDING = "pending_login"
PENDING_SECONDS = 300
#: The authenticator secret a browser is enrolling (not the user's until confirmed).
ENROLLING = "enrolling_secret"


def second_factor_due(user: User) -> bool:
    return user.has_two_factor or (
        current_app.config["REQUIRE_2FA"] and policy.must_use_two_factor(user)
    )


def begin_pending(user: User, target: str, how: str, provider_id: int | None = None):
    session.clear()
    session[PENDING] = {
        "user": user.get_id(),
        "since": int(time.time()),
        "next": target,
        "how": how,
        "provider": provider_id,
    }
    step = "auth.second_factor" if user.has_two_factor else "auth.enrol"
    return redirect(url_for(step), 303)


def pending_user() -> User | None:
    """The user who gave the right password in the last five minutes, if any."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    return load_user(str(pending.get("user", "")))


def pending_target() -> str:
    return safe_next((session.get(PENDING) or {}).get("next"))


def pending_how() -> str:
    """How the first step was taken: "password", or "identity provider"."""
    return str((session.get(PENDING) or {}).get("how", "password"))


def finish_login(user: User, how: str, target: str, provider=None, held="") -> str:
    """Every factor was right: a fresh session (nothing carried over from before), and the
    identity provider that vouched for the person, if one did; returns where to go next."""
    provider = provider or federation.provider((session.get(PENDING) or {}).get("provider"))
    token = services.complete_login(user, how)
    if provider is not None:
        federation.remember_provider_session(token, provider, held)
    session.clear()
    login_user(user)
    session["sid"] = token
    return target


def start_login(user: User, how: str, target: str | None, *, vouched=False, provider=None, held=""):
    """The person is who they say (a password, or their kommun's identity provider): log in,
    after the second factor when one is due and the provider did not vouch for one."""
    target = safe_next(target)
    if not vouched and second_factor_due(user):
        return begin_pending(user, target, how, provider.id if provider else None)
    return redirect(finish_login(user, how, target, provider, held), 303)


def login_page(
    form: LoginForm | None = None,
    status: int = 200,
    refusal=None,
    language: LanguageForm | None = None,
):
    """The login page: the kommuner's identity providers, the password form, and the other
    languages to choose."""
    form = form or LoginForm(formdata=None)
    if refusal is not None:
        form.form_errors.append(refusal.message)
    return render(
        "auth/login.html",
        form=form,
        providers=federation.login_choices(),
        language=language or LanguageForm(formdata=None),
        languages=LANGUAGES,
        status=status,
    )


def back_to_login():
    session.pop(PENDING, None)
    flash(_("Log in again: the login took too long or was not finished."), "info")
    return redirect(url_for("auth.login"), 303)
