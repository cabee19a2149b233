"""Users, teams, areas and places for the admin."""

from datetime import timedelta

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from outreach import editing, policy, refusals, scopes
from outreach.admin import bp, identity_views, services  # noqa: F401 (the identity provider's page)
from outreach.admin.forms import (
    AreaForm,
    KommunSettingsForm,
    PlaceForm,
    TeamEditForm,
    TeamForm,
    UnitEditForm,
    UserEditForm,
    UserForm,
    WarningSignForm,
)
from outreach.auth import services as auth_services
from outreach.auth import two_factor
from outreach.auth.models import User
from outreach.auth.services import create_user
from outreach.clock import now
from outreach.fields import options, picked
from outreach.htmx import render
from outreach.notifications import services as notification_services
from outreach.notifications.models import OutboxMail
from outreach.org import services as org_services
from outreach.org.models import Team
from outreach.org.services import default_first_contact_hours
from outreach.privacy import retention
from outreach.risk import services as risk_services
from outreach.risk.models import WarningSign
from outreach.views_common import form_status, refused, submit
from outreach.vocabulary import Urgency


@bp.route("/")
@policy.allow(policy.admin)
def overview():
    """Teams with their members, areas with their places, and every user."""
    teams = org_services.teams(current_user.kommun_id)
    users = services.users(current_user.kommun_id)
    members = {team.id: [u for u in users if team in u.all_teams] for team in teams}
    return render(
        "admin/overview.html",
        teams=teams,
        users=users,
        areas=org_services.areas_with_places(current_user.kommun_id),
        members=members,
        hours=default_first_contact_hours(),
        retention_years=retention.years(current_user.kommun),
        refusals_flagged=refusals.flagged_since(
            current_user.kommun_id, now() - timedelta(days=refusals.NOTICE_DAYS)
        ),
        refusals_days=refusals.NOTICE_DAYS,
    )


@bp.route("/nekad-atkomst")
@policy.allow(policy.admin)
def refused_access():
    """The kommun's refused accesses (records out of scope or not there) of the last 30
    days, those close together flagged."""
    end = now()
    start = end - timedelta(days=refusals.ADMIN_DAYS)
    found = refusals.listed(current_user.kommun_id, start, end)
    return render("admin/refusals.html", refused=found, days=refusals.ADMIN_DAYS)


def _with_team_choices(form):
    teams = org_services.teams(current_user.kommun_id)
    form.teams.choices = options((team.id, team.name) for team in teams)
    return form, teams


def _chosen(teams: list[Team], form) -> list[Team]:
    return [team for team in teams if team.id in set(form.teams.data or [])]


@bp.route("/anvandare/ny", methods=["GET", "POST"])
@policy.allow(policy.admin)
def new_user():
    """Create a user with a role and teams."""
    form, teams = _with_team_choices(UserForm())
    outcome = submit(
        form,
        lambda: create_user(
            username=form.username.data,
            display_name=form.display_name.data,
            role=form.role.data,
            password=form.password.data,
            teams=_chosen(teams, form),
            email=form.email.data or None,
            by=current_user,
            kommun=current_user.kommun,
        ),
    )
    if outcome.saved:
        flash(_("The user is created."), "success")
        return redirect(url_for("admin.overview"), 303)
    return render("admin/user_form.html", "form", form=form, status=form_status(form))


def _user_page(user: User, form: UserEditForm, status: int = 200, conflict=()):
    return render(
        "admin/user.html",
        "form",
        status=status,
        user=user,
        form=form,
        conflict=conflict,
        locked=auth_services.is_locked(user),
        recovery_left=two_factor.unused_recovery_codes(user),
    )


@bp.route("/anvandare/<int:user_id>", methods=["GET", "POST"])
@policy.allow(policy.admin)
@policy.loads(scopes.USER)
def user_detail(user: User):
    """A user: change name, email, role, teams and whether the account is in use; unlock,
    reset two-factor login, log out everywhere."""
    form, teams = _user_form(user)
    outcome = submit(
        form,
        lambda: services.update_user(
            user,
            by=current_user,
            display_name=form.display_name.data,
            email=form.email.data or None,
            role=form.role.data,
            teams=_chosen(teams, form),
            enabled=form.is_enabled.data,
        ),
        edits=user,
        saved=lambda: _user_form(user, saved=True)[0],
    )
    if outcome.saved:
        flash(_("The user is saved.") if outcome.result else _("Nothing was changed."), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    return _user_page(user, form, form_status(form, outcome), outcome.conflict)


def _user_form(user: User, saved: bool = False) -> tuple[UserEditForm, list[Team]]:
    """The user's form with its team choices; `saved`: filled from the user as saved."""
    form = editing.edit_form(UserEditForm, user, saved)
    form, teams = _with_team_choices(form)
    if saved or not form.is_submitted():
        form.role.data = user.role
        form.teams.data = [team.id for team in user.teams]
    return form, teams


#: What the admin can do to an account, each with its confirmation.
USER_ACTIONS = {
    "las-upp": (
        lambda user: auth_services.unlock(user, by=current_user),
        _l("The account is unlocked."),
    ),
    "tvafaktor": (
        lambda user: two_factor.reset(user, by=current_user),
        _l("Two-factor login is reset: the user sets it up again at the next login."),
    ),
    "logga-ut": (
        lambda user: auth_services.end_every_session(user, by=current_user, why="by the admin"),
        _l("The user is logged out on every device."),
    ),
}


@bp.route(
    "/anvandare/<int:user_id>/<any('las-upp', 'tvafaktor', 'logga-ut'):action>", methods=["POST"]
)
@policy.allow(policy.admin)
@policy.loads(scopes.USER)
def user_action(user: User, action: str):
    """Unlock an account, reset its two-factor login, or log it out everywhere."""
    act, message = USER_ACTIONS[action]
    if submit(FlaskForm(), lambda: act(user)).saved:
        flash(message, "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


def _save(form, heading: str, create, message: str):
    """Run a create service for the form: back to the overview, or the form with the refusal."""
    if submit(form, create).saved:
        flash(message, "success")
        return redirect(url_for("admin.overview"), 303)
    return render(
        "admin/simple_form.html", "form", form=form, heading=heading, status=form_status(form)
    )


@bp.route("/team/nytt", methods=["GET", "POST"])
@policy.allow(policy.admin)
def new_team():
    """Create a team; then its page (a receiving unit's times are set there)."""
    form = TeamForm()
    outcome = submit(
        form,
        lambda: services.create_team(current_user.kommun_id, form.name.data, form.kind.data),
    )
    if outcome.saved:
        flash(_("The team is created."), "success")
        return redirect(url_for("admin.team_detail", team_id=outcome.result.id), 303)
    return render(
        "admin/simple_form.html",
        "form",
        form=form,
        heading=_("New team"),
        status=form_status(form),
    )


@bp.route("/team/<int:team_id>", methods=["GET", "POST"])
@policy.allow(policy.admin)
@policy.loads(scopes.TEAM)
def team_detail(team: Team):
    """A team and its members: change its name, and a receiving unit's consent category and
    first-contact times."""
    form = _team_form(team)
    outcome = submit(
        form,
        lambda: services.update_team(
            team,
            by=current_user,
            name=form.name.data,
            unit=_unit_settings(form),
            defaults=default_first_contact_hours(),
        ),
        edits=team,
        saved=lambda: _team_form(team, saved=True),
    )
    if outcome.saved:
        flash(_("The team is saved.") if outcome.result else _("Nothing was changed."), "success")
        return redirect(url_for("admin.team_detail", team_id=team.id), 303)
    return render(
        "admin/team.html",
        "form",
        status=form_status(form, outcome),
        team=team,
        form=form,
        conflict=outcome.conflict,
        members=[u for u in services.users(team.kommun_id) if team in u.all_teams],
    )


def _team_form(team: Team, saved: bool = False) -> TeamEditForm:
    """The team's form (a receiving unit's with its settings); `saved`: filled from the team
    as saved."""
    if not team.receives_handoffs:
        return editing.edit_form(TeamEditForm, team, saved)
    form = editing.edit_form(UnitEditForm, team, saved)
    if saved or not form.is_submitted():
        form.recipient.data = team.consent_category
    defaults = default_first_contact_hours()
    for item, urgency in (
        (form.first_contact_hours, Urgency.NORMAL),
        (form.urgent_first_contact_hours, Urgency.URGENT),
    ):
        item.description = _("Empty: the deployment's %(hours)d hours.", hours=defaults[urgency])
    return form


def _unit_settings(form: TeamEditForm) -> services.UnitSettings | None:
    if not isinstance(form, UnitEditForm):
        return None
    return services.UnitSettings(
        form.recipient.data,
        form.first_contact_hours.data,
        form.urgent_first_contact_hours.data,
    )


@bp.route("/kommun", methods=["GET", "POST"])
@policy.allow(policy.admin)
def kommun_settings():
    """The kommun's own settings: how long a youth's record is kept without activity."""
    kommun = current_user.kommun
    form = editing.edit_form(KommunSettingsForm, kommun)
    outcome = submit(
        form,
        lambda: services.set_retention(kommun, by=current_user, years=form.retention_years.data),
        edits=kommun,
        saved=lambda: editing.edit_form(KommunSettingsForm, kommun, saved=True),
    )
    if outcome.saved:
        flash(_("Saved.") if outcome.result else _("Nothing was changed."), "success")
        return redirect(url_for("admin.overview"), 303)
    form.retention_years.description = _(
        "Empty: the deployment's %(years)d years. A youth with no activity for that long is "
        "deleted at the next gallring, unless something holds the record.",
        years=current_app.config["RETENTION_YEARS"],
    )
    return render(
        "admin/simple_form.html",
        "form",
        form=form,
        heading=_("Settings of %(kommun)s", kommun=kommun.name),
        submit_label=_("Save"),
        conflict=outcome.conflict,
        status=form_status(form, outcome),
    )


@bp.route("/omraden/nytt", methods=["GET", "POST"])
@policy.allow(policy.admin)
def new_area():
    """Create an area."""
    form = AreaForm()
    return _save(
        form,
        _("New area"),
        lambda: services.create_area(current_user.kommun_id, form.name.data),
        _("The area is created."),
    )


@bp.route("/platser/ny", methods=["GET", "POST"])
@policy.allow(policy.admin)
def new_place():
    """Create a place in an area."""
    form = PlaceForm()
    areas = org_services.areas(current_user.kommun_id)
    form.area.choices = options((area.id, area.name) for area in areas)
    return _save(
        form,
        _("New place"),
        lambda: services.create_place(
            picked(areas, form.area.data), form.name.data, form.kind.data
        ),
        _("The place is created."),
    )


@bp.route("/varningstecken", methods=["GET", "POST"])
@policy.allow(policy.admin)
def warning_signs():
    """The warning-sign catalogue: every sign by group, add one, retire or restore one."""
    form = WarningSignForm()
    outcome = submit(
        form,
        lambda: services.add_warning_sign(current_user.kommun_id, form.group.data, form.label.data),
    )
    if outcome.saved:
        flash(_("The warning sign is added."), "success")
        return redirect(url_for("admin.warning_signs"), 303)
    return render(
        "admin/warning_signs.html",
        status=form_status(form),
        form=form,
        catalogue=risk_services.catalogue(current_user.kommun_id, include_retired=True),
    )


@bp.route("/varningstecken/<int:sign_id>/aktiv", methods=["POST"])
@policy.allow(policy.admin)
@policy.loads(scopes.WARNING_SIGN)
def toggle_warning_sign(sign: WarningSign):
    """Retire a warning sign, or bring a retired one back. The button says which: sent twice
    (a double tap), the sign ends as asked, not back where it was."""
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        return refused(_("Reload the page and choose again."))
    services.set_warning_sign_active(sign, wanted == "1")
    flash(_("The catalogue is updated."), "success")
    return redirect(url_for("admin.warning_signs"), 303)


@bp.route("/utskick")
@policy.allow(policy.admin)
def dead_letters():
    """Mail that could not be delivered: why, and sending it again once that is fixed."""
    return render(
        "admin/dead_letters.html", mails=notification_services.dead_letters(current_user.kommun_id)
    )


@bp.route("/utskick/<int:mail_id>/skicka-igen", methods=["POST"])
@policy.allow(policy.admin)
@policy.loads(scopes.OUTBOX_MAIL)
def send_mail_again(mail: OutboxMail):
    """Put a dead letter back in the queue (after fixing the address or the mail server)."""
    notification_services.send_again(mail, now())
    flash(_("The mail is queued again and will be sent shortly."), "success")
    return redirect(url_for("admin.dead_letters"), 303)
