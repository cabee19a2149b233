"""The loggkontroll: a team lead reads who read, exported or printed the team's youths, with
unusual accesses flagged, and records each review of the log."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from outreach import policy
from outreach.clock import today
from outreach.exports import Table, csv_response, xlsx_response
from outreach.fields import options, picked
from outreach.htmx import render
from outreach.privacy import access_log, bp, services
from outreach.privacy.forms import AccessLogFilterForm, AccessReviewForm
from outreach.views_common import form_status, submit
from outreach.youths import services as youth_services
from outreach.youths.models import Youth

EVERYONE = _l("Everyone")
#: The longest row number a "show more" address may carry (a longer one starts from the top).
MAX_SEQ_DIGITS = 12


def _filter_form() -> AccessLogFilterForm:
    form = AccessLogFilterForm(request.args)
    teams = sorted(current_user.field_teams, key=lambda team: team.name)
    form.team.choices = options([("", _l("All my teams")), *((t.id, t.name) for t in teams)])
    people = services.access_log_people(current_user)
    form.user.choices = options([("", EVERYONE), *((u.id, u.display_name) for u in people)])
    return form


def _chosen(form: AccessLogFilterForm, youth: Youth | None) -> access_log.AccessFilter:
    default_from, default_to = access_log.AccessFilter.default_period()
    team_ids = [t.id for t in current_user.field_teams]
    return access_log.AccessFilter(
        kommun_id=current_user.kommun_id,
        team_ids=[form.team.data] if form.team.data in team_ids else team_ids,
        date_from=form.date_from.data or default_from,
        date_to=form.date_to.data or default_to,
        youth=youth,
        user_id=form.user.data,
        flagged_only=bool(form.flagged.data),
    )


def _address(form: AccessLogFilterForm, **changes) -> dict:
    """The filter as address arguments (for paging and links), with changes."""
    args = {
        key: value
        for key, value in request.args.items()
        if key in form._fields and key != "before" and value
    }
    args.update(changes)
    return {key: value for key, value in args.items() if value not in (None, "")}


@bp.route("/loggkontroll")
@policy.allow(policy.leads_field_team)
def access_log_page():
    """Who read, exported or printed the team's youths, filtered, with unusual access
    flagged; and the form to record a review of the period."""
    form = _filter_form()
    found = youth_services.youths_by_public_id(current_user, [form.ungdom.data or ""])
    youth = found[0] if form.ungdom.data and found else None
    valid = form.validate()
    before = form.before.data or ""
    before = int(before) if before.isdecimal() and len(before) <= MAX_SEQ_DIGITS else None
    chosen = _chosen(form, youth)
    entries, next_before = ([], None)
    if valid:
        entries, next_before = access_log.page(chosen, before)
    shown = sorted({a.youth.id for a in entries if a.youth is not None})
    access_log.record_listed(current_user, shown, access_log.LISTED_IN_LOG)
    review_form = AccessReviewForm(
        formdata=None,
        team=chosen.team_ids[0],
        period_from=chosen.date_from,
        period_to=chosen.date_to,
    )
    _team_choices(review_form)
    return render(
        "privacy/access_log.html",
        "rows" if before else None,
        status=200 if valid else 400,
        form=form,
        chosen=chosen,
        youth=youth,
        entries=entries,
        refused=access_log.refusals_of(chosen) if valid and not before and not youth else [],
        next_args=_address(form, before=next_before) if next_before else None,
        clear_youth_args=_address(form, ungdom=None),
        review_form=review_form,
    )


def _team_choices(form: AccessReviewForm) -> None:
    teams = sorted(current_user.field_teams, key=lambda team: team.name)
    form.team.choices = options((t.id, t.name) for t in teams)


@bp.route("/loggkontroll/granskning", methods=["POST"])
@policy.allow(policy.leads_field_team)
def record_review():
    """Record a review of the team's access log over a period (findings and follow-up)."""
    form = AccessReviewForm()
    _team_choices(form)
    outcome = submit(
        form,
        lambda: services.record_review(
            current_user,
            picked(current_user.field_teams, form.team.data),
            period_from=form.period_from.data,
            period_to=form.period_to.data,
            findings=form.findings.data or "",
            follow_up=form.follow_up.data or "",
        ),
    )
    if outcome.saved:
        flash(_("The review is recorded."), "success")
        return redirect(url_for("privacy.reviews"), 303)
    return render("privacy/review_form.html", "form", status=form_status(form), form=form)


@bp.route("/loggkontroll/granskningar")
@policy.allow(policy.leads_field_team)
def reviews():
    """The recorded reviews of the access log, newest first."""
    return render("privacy/reviews.html", reviews=services.reviews(current_user))


def review_table(rows) -> Table:
    """The reviews as a table to export."""
    header = [
        _("Team"),
        _("Period from"),
        _("Period to"),
        _("Accesses"),
        _("Flagged"),
        _("What the review found"),
        _("Follow-up"),
        _("Reviewed by"),
        _("Reviewed"),
    ]
    return Table(
        _("Access log reviews"),
        header,
        (
            [
                r.team.name,
                r.period_from,
                r.period_to,
                r.accesses,
                r.flagged,
                r.findings,
                r.follow_up,
                r.reviewed_by.display_name,
                r.reviewed_at,
            ]
            for r in rows
        ),
    )


@bp.route("/loggkontroll/granskningar.<any(csv, xlsx):fmt>")
@policy.allow(policy.leads_field_team)
def export_reviews(fmt: str):
    """The recorded reviews as CSV or XLSX."""
    table = review_table(services.reviews(current_user))
    filename = f"loggkontroller-{today().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, [table])
    return xlsx_response(filename, [table])
