"""Login with password and second factor, logout (here or everywhere), session limits, and the
user's own settings. The login's steps are in login_views.py; the login through a kommun's
identity provider in federation_views.py."""

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from outreach import i18n, policy
from outreach.audit import AuditAction
from outreach.auth import (
    bp,
    federation,
    federation_views,  # also the provider login's routes
    saml_views,  # noqa: F401 (SAML's routes)
    scim_views,  # noqa: F401 (the SCIM endpoints)
    services,
    two_factor,
)
from outreach.auth import login_views as steps
from outreach.auth.forms import CodeForm, LanguageForm, LoginForm, SettingsForm
from outreach.errors import RuleViolation
from outreach.extensions import limiter, login_manager
from outreach.htmx import render
from outreach.policy import allow, anyone_logged_in, public
from outreach.views_common import form_status, submit


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous users are sent to the login page."""
    return redirect(url_for("auth.login", next=request.path))


#: Requests the page makes by itself (polling), which are not the user being active: they
#: must not keep an idle session alive on a tablet left on a bus.
PASSIVE = {"notifications.badge"}

ENDED = {
    "idle": lambda: _("You were logged out after a period of inactivity."),
    "expired": lambda: _(
        "You were logged out: a login lasts at most %(hours)d hours.",
        hours=(current_app.config["SESSION_LIFETIME_SECONDS"] // 3600),
    ),
}


#: Requests that never look at who is logged in: files, and the health checks, which must
#: answer without the database.
SESSIONLESS = {"static", "health.healthz", "health.readyz"}
#: What a user who works for several kommuner can do before choosing the one to act for.
KOMMUN_NOT_NEEDED = {"auth.choose_kommun", "auth.logout", "auth.logout_everywhere"}


@bp.before_app_request
def check_session():
    """End sessions that were logged out, invalidated, idle or too old (server-side)."""
    if request.endpoint in SESSIONLESS or "_user_id" not in session:
        return None
    reason = "ended"
    if current_user.is_authenticated:
        config = current_app.config
        live, reason = services.resume_session(
            g.get("login_session"),
            current_user,
            idle=timedelta(seconds=config["IDLE_TIMEOUT_SECONDS"]),
            lifetime=timedelta(seconds=config["SESSION_LIFETIME_SECONDS"]),
            activity=request.endpoint not in PASSIVE,
        )
        if live:
            if (
                current_user.kommun_id is None
                and len(current_user.kommuner) > 1
                and request.endpoint not in KOMMUN_NOT_NEEDED
            ):
                return redirect(url_for("auth.choose_kommun", next=request.path))
            return None
    if request.endpoint in PASSIVE:
        # a poll sent before a logout it crossed: its answer leaves the session cookie alone
        # (clearing it there would drop the message the logout left for the next page)
        return redirect(url_for("auth.login"))
    logout_user()
    session.clear()
    if reason in ENDED:
        flash(ENDED[reason](), "info")
    return redirect(url_for("auth.login"))  # htmx.redirect_whole_page turns it into HX-Redirect


def _with_code(form: CodeForm, check):
    """Run a check of a submitted code with the lockout's limits; returns what it returns, or
    None. A wrong code is committed (it counts toward the lockout) and shown at the field."""
    if not form.validate_on_submit():
        return None
    config = current_app.config
    try:
        return check(
            max_failures=config["LOGIN_MAX_FAILURES"], lock_seconds=config["LOGIN_LOCK_SECONDS"]
        )
    except RuleViolation as refusal:
        form.code.errors = [refusal.message]
        return None


def _login_rate() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/logga-in", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate, methods=["POST"])
def login():
    """Show the login form and check the password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.start"))
    form = LoginForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            config = current_app.config
            try:
                user = services.check_password(
                    form.username.data,
                    form.password.data,
                    max_failures=config["LOGIN_MAX_FAILURES"],
                    lock_seconds=config["LOGIN_LOCK_SECONDS"],
                )
            except RuleViolation as refusal:
                form.form_errors.append(refusal.message)
            else:
                if federation.password_login_allowed(user):
                    return steps.start_login(user, "password", request.args.get("next"))
                form.form_errors.append(steps.PROVIDER_ONLY)
    return steps.login_page(form, status)


@bp.route("/logga-in/sprak", methods=["POST"])
@public
def choose_language():
    """A visitor's language, chosen on the login page and kept in a cookie (a logged-in
    user's is in their settings)."""
    form = LanguageForm()
    if not form.validate():
        return steps.login_page(status=422, language=form)
    target = redirect(url_for("auth.login", next=request.args.get("next")), 303)
    if current_user.is_authenticated:  # their own setting rules (Inställningar)
        return target
    return i18n.remember_language(target, form.locale.data)


@bp.route("/logga-in/kod", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate, methods=["POST"])
def second_factor():
    """The second step of the login: a code from the app or a recovery code."""
    user = steps.pending_user()
    if user is None or not user.has_two_factor:
        return steps.back_to_login()
    form = CodeForm()
    how = _with_code(
        form, lambda **limits: two_factor.check_second_factor(user, form.code.data, **limits)
    )
    if how is None and form.is_submitted() and services.is_locked(user):
        session.pop(steps.PENDING, None)
        flash(services.BAD_CREDENTIALS, "info")
        return redirect(url_for("auth.login"), 303)
    if how is not None:
        target = steps.finish_login(
            user, f"{steps.pending_how()} and {how}", steps.pending_target()
        )
        if how == "recovery code":
            flash(
                _(
                    "You logged in with a recovery code. %(n)d are left.",
                    n=two_factor.unused_recovery_codes(user),
                ),
                "info",
            )
        return redirect(target, 303)
    return render("auth/code.html", form=form, status=form_status(form))


@bp.route("/logga-in/tvafaktor", methods=["GET", "POST"])
@public
@limiter.limit(_login_rate, methods=["POST"])
def enrol():
    """Set up the authenticator app: scan the QR code, type the first code; then the recovery
    codes are shown, once. For a user finishing a login, or a logged-in user turning it on."""
    user = current_user if current_user.is_authenticated else steps.pending_user()
    if user is None:
        return steps.back_to_login()
    if user.has_two_factor:
        if current_user.is_authenticated:
            return redirect(url_for("auth.settings"), 303)
        if request.method == "POST":  # confirmed somewhere else while this page was open
            flash(two_factor.ALREADY_ENROLLED, "info")
        return redirect(url_for("auth.second_factor"), 303)
    # The secret being enrolled stays with this browser until its first code confirms it.
    secret = session.setdefault(steps.ENROLLING, two_factor.new_secret())
    form = CodeForm()
    outcome = submit(form, lambda: two_factor.confirm_enrolment(user, secret, form.code.data))
    if outcome.saved:
        session.pop(steps.ENROLLING, None)
        target = url_for("auth.settings")
        if not current_user.is_authenticated:
            target = steps.finish_login(
                user, f"{steps.pending_how()}, second factor enrolled", steps.pending_target()
            )
        return render("auth/recovery_codes.html", codes=outcome.result, next=target)
    return render(
        "auth/enrol.html",
        form=form,
        status=form_status(form, outcome),
        qr=two_factor.qr_code(user, secret),
        secret=secret,
    )


@bp.route("/installningar/reservkoder", methods=["POST"])
@allow(anyone_logged_in)
@limiter.limit(_login_rate, methods=["POST"])
def new_recovery_codes():
    """Replace the recovery codes (the old ones stop working); needs a code from the app."""
    form = CodeForm()
    codes = _with_code(
        form,
        lambda **limits: two_factor.replace_recovery_codes(current_user, form.code.data, **limits),
    )
    if codes is not None:
        return render("auth/recovery_codes.html", codes=codes, next=url_for("auth.settings"))
    return _settings_page(code_form=form, status=form_status(form))


@bp.route("/logga-ut", methods=["POST"])
@public
def logout():
    """Log out and forget the session."""
    at_provider, sid = None, session.get("sid")
    if current_user.is_authenticated:
        at_provider = federation.provider_session(sid)
        services.end_session(sid)
        services.record_account(AuditAction.LOGOUT, current_user, by=current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    if at_provider is not None:  # the provider's session ends too, where it can
        session[federation_views.ENDED] = sid
        return redirect(url_for("auth.provider_logout"), 303)
    return redirect(url_for("auth.login"), 303)


@bp.route("/kommun", methods=["GET", "POST"])
@allow(anyone_logged_in)
def choose_kommun():
    """Choose which of one's kommuner to act for (one at a time; the others are out of sight)."""
    if request.method == "POST":
        chosen = request.form.get("kommun", "")
        if chosen.isdigit() and services.choose_kommun(
            session.get("sid"), current_user, int(chosen)
        ):
            flash(_("You now work for %(kommun)s.", kommun=current_user.kommun.name), "info")
            return redirect(steps.safe_next(request.form.get("next")), 303)
        flash(_("Choose one of your kommuner."), "error")
        status = 422
    else:
        status = 200
    return render(
        "auth/choose_kommun.html",
        "content",
        kommuner=current_user.kommuner,
        target=request.values.get("next", ""),
    ), status


@bp.route("/logga-ut-overallt", methods=["POST"])
@allow(anyone_logged_in)
def logout_everywhere():
    """Log out on every device (a tablet left behind, a password seen by someone)."""
    services.end_every_session(current_user, by=current_user, why="everywhere, by the user")
    logout_user()
    session.clear()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("auth.login"), 303)


def _settings_page(form: SettingsForm | None = None, code_form=None, status: int = 200):
    return render(
        "auth/settings.html",
        "content",
        status=status,
        form=form or SettingsForm(locale=current_user.locale),
        code_form=code_form or CodeForm(formdata=None),
        recovery_left=two_factor.unused_recovery_codes(current_user),
        required=current_app.config["REQUIRE_2FA"] and policy.must_use_two_factor(current_user),
    )


@bp.route("/installningar", methods=["GET", "POST"])
@allow(anyone_logged_in)
def settings():
    """The user's own settings: the UI language, two-factor login, logging out everywhere."""
    form = SettingsForm(locale=current_user.locale)
    if submit(form, lambda: services.set_locale(current_user, form.locale.data)).saved:
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"), 303)
    return _settings_page(form, status=form_status(form))
