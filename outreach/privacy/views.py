"""Data-protection pages: where the work is (overview), gallring and legal holds, and the
privacy page. The loggkontroll and the register extracts have view modules of their own
(access_log_views.py, extract_views.py), imported here so that their routes join the area's."""

import json

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy, scopes
from outreach.clock import today
from outreach.htmx import render
from outreach.org import services as org_services
from outreach.privacy import (  # noqa: F401 (the loggkontroll's and the extracts' routes)
    access_log_views,
    bp,
    erasure,
    extract_views,
    labels,
    retention,
    services,
)
from outreach.privacy.forms import LegalHoldForm, LiftHoldForm, RetentionRunForm
from outreach.views_common import form_status, submit
from outreach.youths.models import Youth

# The access rows' labels, for every page that lists accesses (the youth's page among them).
bp.add_app_template_global(labels, "access_labels")


@bp.route("/dataskydd")
@policy.allow(policy.retention_staff)
def overview():
    """Where the data-protection work is: loggkontroll, register extracts, gallring."""
    teams = None if policy.admin(current_user) else [t.id for t in current_user.field_teams]
    open_requests = services.open_requests(current_user)
    reviews_made = services.reviews(current_user)
    due, upcoming = retention.due_and_upcoming(current_user.kommun, today(), teams)
    return render(
        "privacy/overview.html",
        open_requests=len(open_requests),
        urgent_requests=services.count_urgent(open_requests),
        last_review=reviews_made[0] if reviews_made else None,
        due=len(due),
        upcoming=len(upcoming),
        upcoming_days=retention.UPCOMING_DAYS,
    )


@bp.route("/gallring")
@policy.allow(policy.retention_staff)
def retention_page(run_form: RetentionRunForm | None = None, status: int = 200):
    """What is due for deletion: for the admin counted by team (no names), for a team lead
    the team's youths; and the runs made."""
    as_of = today()
    is_admin = policy.admin(current_user)
    team_ids = None if is_admin else [team.id for team in current_user.field_teams]
    due, upcoming = retention.due_and_upcoming(current_user.kommun, as_of, team_ids)
    youths = {}
    if not is_admin and (due or upcoming):
        youths = retention.youths_listed(current_user, [d.youth_id for d in (*due, *upcoming)])
    teams = {team.id: team for team in org_services.teams(current_user.kommun_id)}
    by_team: dict[int, dict] = {}
    for item in due:
        counts = by_team.setdefault(item.team_id, {"due": 0, "held": 0, "archive": 0})
        counts["due"] += 1
        counts["held"] += bool(item.holds)
        counts["archive"] += item.archive and not item.holds
    return render(
        "privacy/retention.html",
        status=status,
        as_of=as_of,
        years=retention.years(current_user.kommun),
        note_months=current_app.config["ANONYMOUS_NOTE_MONTHS"],
        due=due,
        upcoming=upcoming,
        upcoming_days=retention.UPCOMING_DAYS,
        youths=youths,
        teams=teams,
        by_team=by_team,
        notes=erasure.notes_to_clear(current_user.kommun_id, as_of) if is_admin else None,
        runs=retention.runs(current_user.kommun),
        run_form=run_form or (RetentionRunForm() if is_admin else None),
        counts_of=lambda run: json.loads(run.counts),
    )


@bp.route("/gallring/kor", methods=["POST"])
@policy.allow(policy.admin)
def run_retention():
    """Run gallring now: archive, delete what is due and nothing holds, clear old notes."""
    form = RetentionRunForm()
    outcome = submit(form, lambda: retention.apply(current_user.kommun, today(), current_user))
    if outcome.saved:
        report = outcome.result
        flash(
            _(
                "Gallring done: %(deleted)d youths deleted, %(archived)d of them archived "
                "first; %(notes)d notes cleared.",
                deleted=report.to_delete,
                archived=report.to_archive,
                notes=report.notes,
            ),
            "success",
        )
        return redirect(url_for("privacy.retention_page"), 303)
    return retention_page(run_form=form, status=form_status(form, outcome))


# --- legal holds, on the youth's page -------------------------------------------------------


def _back_to_youth(youth: Youth):
    return redirect(url_for("casefile.youth", public_id=youth.public_id, _anchor="records"), 303)


@bp.route("/ungdomar/<youth:public_id>/bevarande", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.keeps_records_of)
def set_hold(youth: Youth):
    """Keep the youth's record past its retention time, with the reason (team lead)."""
    form = LegalHoldForm()
    outcome = submit(form, lambda: services.set_hold(current_user, youth, form.reason.data or ""))
    if outcome.saved:
        flash(_("The record is kept until the hold is lifted."), "success")
        return _back_to_youth(youth)
    return render(
        "privacy/hold.html",
        "form",
        status=form_status(form, outcome),
        form=form,
        youth=youth,
        status_of=retention.status_of(youth),
    )


@bp.route("/ungdomar/<youth:public_id>/bevarande/hav", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.keeps_records_of)
def lift_hold(youth: Youth):
    """Lift the legal hold: the record follows the retention rule again (team lead)."""
    outcome = submit(LiftHoldForm(), lambda: services.lift_hold(current_user, youth))
    if outcome.saved:
        flash(_("The legal hold is lifted."), "success")
    elif outcome.refusal:
        flash(outcome.refusal.message, "info")
    return _back_to_youth(youth)


# --- the privacy page -------------------------------------------------------------------------


@bp.route("/integritet")
@policy.public
def privacy_page():
    """What Outreach stores, why, for how long, and who can see it."""
    config = current_app.config
    return render(
        "privacy/privacy.html",
        years=config["RETENTION_YEARS"],
        note_months=config["ANONYMOUS_NOTE_MONTHS"],
        idle_minutes=config["IDLE_TIMEOUT_SECONDS"] // 60,
        archive_days=retention.ARCHIVE_DAYS,
    )
