"""Login, logout, idle timeout and the user's own settings."""

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth import bp, services
from outreach.auth.forms import LoginForm, SettingsForm
from outreach.auth.models import User
from outreach.auth.services import authenticate, set_locale
from outreach.errors import RuleViolation
from outreach.extensions import db, login_manager
from outreach.htmx import render
from outreach.policy import allow, anyone_logged_in, public
from outreach.views_common import form_status, submit


@login_manager.user_loader
def load_user(session_user_id: str) -> User | None:
    """The user of a session, unless their sessions were invalidated since."""
    user_id, _sep, epoch = session_user_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.execute(select(User).where(User.id == int(user_id))).scalar_one_or_none()
    if user is None or user.session_epoch != int(epoch) or not user.is_enabled:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous users are sent to the login page."""
    return redirect(url_for("auth.login", next=request.path))


#: Requests the page makes by itself (polling), which are not the user being active: they
#: must not keep an idle session alive on a tablet left on a bus.
PASSIVE = {"notifications.badge"}


@bp.before_app_request
def check_session():
    """End sessions that were logged out, invalidated or idle too long (server-side)."""
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    reason = "ended"
    if current_user.is_authenticated:
        idle = timedelta(seconds=current_app.config["IDLE_TIMEOUT_SECONDS"])
        live, reason = services.resume_session(
            session.get("sid"), current_user.id, idle, activity=request.endpoint not in PASSIVE
        )
        db.session.commit()  # session bookkeeping, apart from the request's own change
        if live:
            return None
    logout_user()
    session.clear()
    if reason == "idle":
        flash(_("You were logged out after a period of inactivity."), "info")
    return redirect(url_for("auth.login"))  # htmx.redirect_whole_page turns it into HX-Redirect


def _safe_next(target: str | None) -> str:
    """Only redirect to a plain path on this site after login."""
    if target and target.startswith("/") and target.isprintable() and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("shifts.start")


@bp.route("/logga-in", methods=["GET", "POST"])
@public
def login():
    """Show the login form and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("shifts.start"))
    form = LoginForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            config = current_app.config
            try:
                user = authenticate(
                    form.username.data,
                    form.password.data,
                    max_failures=config["LOGIN_MAX_FAILURES"],
                    lock_seconds=config["LOGIN_LOCK_SECONDS"],
                )
            except RuleViolation as refusal:
                db.session.commit()  # the failed attempt counts toward the lock
                form.form_errors.append(refusal.message)
            else:
                token = services.start_session(user)
                db.session.commit()
                session.clear()  # a fresh session at login
                login_user(user)
                session["sid"] = token
                return redirect(_safe_next(request.args.get("next")), 303)
    return render("auth/login.html", form=form, status=status)


@bp.route("/logga-ut", methods=["POST"])
@public
def logout():
    """Log out and forget the session."""
    if current_user.is_authenticated:
        services.end_session(session.get("sid"))
        audit.record(AuditAction.LOGOUT, "user", current_user.id, user_id=current_user.id)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/installningar", methods=["GET", "POST"])
@allow(anyone_logged_in)
def settings():
    """The user's own settings: the UI language."""
    form = SettingsForm(locale=current_user.locale)
    languages = current_app.config["LANGUAGES"]
    if submit(form, lambda: set_locale(current_user, form.locale.data, languages)).saved:
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("auth.settings"), 303)
    return render("auth/settings.html", "content", form=form, status=form_status(form))
