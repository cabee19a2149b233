"""Data-protection pages: the loggkontroll, gallring, register extracts, the privacy page, and
the record-keeping part of a youth's page (legal hold, extract requests, access history)."""

import json

from flask import current_app, flash, make_response, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from outreach import audit, pdf, policy
from outreach.audit import AuditAction
from outreach.auth.models import Role
from outreach.clock import today
from outreach.exports import Table, csv_response, xlsx_response
from outreach.extensions import db
from outreach.fields import options
from outreach.handoffs.services import vpc_members
from outreach.htmx import render
from outreach.org.models import Team
from outreach.privacy import access_log, bp, extract, retention, services
from outreach.privacy.forms import (
    AccessLogFilterForm,
    AccessRequestForm,
    AccessReviewForm,
    DeliveryForm,
    LegalHoldForm,
    LiftHoldForm,
    RetentionRunForm,
)
from outreach.views_common import forbidden, form_status, submit
from outreach.vocabulary import Requester
from outreach.youths import services as youth_services
from outreach.youths.models import Youth

EVERYONE = _l("Everyone")
#: The longest row number a "show more" address may carry (a longer one starts from the top).
MAX_SEQ_DIGITS = 12


@bp.route("/dataskydd")
@policy.allow(policy.retention_staff)
def overview():
    """Where the data-protection work is: loggkontroll, register extracts, gallring."""
    teams = None if policy.admin(current_user) else [t.id for t in current_user.field_teams]
    open_requests = services.open_requests(current_user)
    reviews_made = services.reviews(current_user)
    due, upcoming = retention.due_and_upcoming(today(), teams)
    return render(
        "privacy/overview.html",
        open_requests=len(open_requests),
        urgent_requests=services.count_urgent(open_requests),
        last_review=reviews_made[0] if reviews_made else None,
        due=len(due),
        upcoming=len(upcoming),
        upcoming_days=retention.UPCOMING_DAYS,
    )


# --- loggkontroll ------------------------------------------------------------------------------


def _filter_form() -> AccessLogFilterForm:
    form = AccessLogFilterForm(request.args)
    teams = sorted(current_user.field_teams, key=lambda team: team.name)
    form.team.choices = options([("", _l("All my teams")), *((t.id, t.name) for t in teams)])
    workers = db.session.execute(policy.team_workers(current_user)).scalars()
    vpc = vpc_members(Role.CASEWORKER, Role.TEAM_LEAD)
    people = sorted({*workers, *vpc}, key=lambda user: user.display_name)
    form.user.choices = options([("", EVERYONE), *((u.id, u.display_name) for u in people)])
    return form


def _chosen(form: AccessLogFilterForm, youth: Youth | None) -> access_log.AccessFilter:
    default_from, default_to = access_log.AccessFilter.default_period()
    team_ids = [t.id for t in current_user.field_teams]
    return access_log.AccessFilter(
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
    youth = None
    if form.ungdom.data:
        found = policy.visible_youths(current_user).where(Youth.public_id == form.ungdom.data)
        youth = db.session.execute(found).scalar_one_or_none()
    valid = form.validate()
    before = form.before.data or ""
    before = int(before) if before.isdecimal() and len(before) <= MAX_SEQ_DIGITS else None
    chosen = _chosen(form, youth)
    entries, next_before = ([], None)
    if valid:
        entries, next_before = access_log.page(chosen, before)
    shown = sorted({a.youth.id for a in entries if a.youth is not None})
    audit.record_youths(
        AuditAction.LIST, shown, user_id=current_user.id, detail=access_log.LISTED_IN_LOG
    )
    review_form = AccessReviewForm(
        formdata=None,
        team=chosen.team_ids[0],
        period_from=chosen.date_from,
        period_to=chosen.date_to,
    )
    _team_choices(review_form)
    response = render(
        "privacy/access_log.html",
        "rows" if before else None,
        status=200 if valid else 400,
        form=form,
        chosen=chosen,
        youth=youth,
        entries=entries,
        next_args=_address(form, before=next_before) if next_before else None,
        clear_youth_args=_address(form, ungdom=None),
        review_form=review_form,
    )
    return response


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
            db.session.get(Team, form.team.data) if form.team.data else None,
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


# --- gallring -------------------------------------------------------------------------------


@bp.route("/gallring")
@policy.allow(policy.retention_staff)
def retention_page(run_form: RetentionRunForm | None = None, status: int = 200):
    """What is due for deletion: for the admin counted by team (no names), for a team lead
    the team's youths; and the runs made."""
    as_of = today()
    is_admin = policy.admin(current_user)
    team_ids = None if is_admin else [team.id for team in current_user.field_teams]
    due, upcoming = retention.due_and_upcoming(as_of, team_ids)
    youths = {}
    if not is_admin and (due or upcoming):
        listed = [d.youth_id for d in (*due, *upcoming)]
        found = db.session.execute(select(Youth).where(Youth.id.in_(listed)))
        youths = {youth.id: youth for youth in found.scalars()}
        audit.record_youths(
            AuditAction.LIST,
            list(youths),
            user_id=current_user.id,
            detail=access_log.LISTED_IN_GALLRING,
        )
    teams = {team.id: team for team in db.session.execute(select(Team)).scalars()}
    by_team: dict[int, dict] = {}
    for item in due:
        counts = by_team.setdefault(item.team_id, {"due": 0, "held": 0, "archive": 0})
        counts["due"] += 1
        counts["held"] += bool(item.holds)
        counts["archive"] += item.archive and not item.holds
    response = render(
        "privacy/retention.html",
        status=status,
        as_of=as_of,
        years=retention.years(),
        note_months=current_app.config["ANONYMOUS_NOTE_MONTHS"],
        due=due,
        upcoming=upcoming,
        upcoming_days=retention.UPCOMING_DAYS,
        youths=youths,
        teams=teams,
        by_team=by_team,
        notes=retention.notes_to_clear(as_of) if is_admin else None,
        runs=retention.runs(),
        run_form=run_form or (RetentionRunForm() if is_admin else None),
        counts_of=lambda run: json.loads(run.counts),
    )
    return response


@bp.route("/gallring/kor", methods=["POST"])
@policy.allow(policy.admin)
def run_retention():
    """Run gallring now: archive, delete what is due and nothing holds, clear old notes."""
    form = RetentionRunForm()
    outcome = submit(form, lambda: retention.apply(today(), current_user))
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


# --- register extracts -----------------------------------------------------------------------


@bp.route("/registerutdrag")
@policy.allow(policy.leads_field_team)
def requests():
    """Register-extract requests waiting to be delivered, the earliest due first."""
    open_requests = services.open_requests(current_user)
    audit.record_youths(
        AuditAction.LIST,
        sorted({r.youth_id for r in open_requests}),
        user_id=current_user.id,
        detail=access_log.LISTED_IN_REQUESTS,
    )
    response = render("privacy/requests.html", requests=open_requests, urgency=services.urgency)
    return response


def _request_page(access_request, form: DeliveryForm | None = None, status: int = 200):
    youth_services.record_read(current_user, access_request.youth, "register extract request")
    response = render(
        "privacy/request.html",
        "delivery",
        status=status,
        access_request=access_request,
        urgency=services.urgency,
        form=form or DeliveryForm(formdata=None, delivered_on=today()),
        pdf_available=pdf.available(),
    )
    return response


@bp.route("/registerutdrag/<request:public_id>")
@policy.allow(policy.leads_field_team)
def request_detail(public_id: str):
    """One request: its deadline, the extract in three forms, and its delivery."""
    return _request_page(policy.access_request_or_404(current_user, public_id))


def _extract_page(access_request) -> str:
    document = extract.build(access_request.youth)
    return render(
        "privacy/extract.html",
        access_request=access_request,
        youth=access_request.youth,
        document=document,
        sections=extract.SECTIONS,
        labels=extract.LABELS,
        pdf_available=pdf.available(),
    )


@bp.route("/registerutdrag/<request:public_id>/utdrag")
@policy.allow(policy.leads_field_team)
def extract_page(public_id: str):
    """The extract as a page to read and print; producing it is written to the access log."""
    access_request = policy.access_request_or_404(current_user, public_id)
    services.record_extract(current_user, access_request, "html")
    response = _extract_page(access_request)
    return response


@bp.route("/registerutdrag/<request:public_id>/utdrag.pdf")
@policy.allow(policy.leads_field_team)
def extract_pdf(public_id: str):
    """The extract as a PDF file."""
    access_request = policy.access_request_or_404(current_user, public_id)
    if not pdf.available():
        message = _("PDF cannot be made on this server. Open the extract and print it instead.")
        return render("errors/error.html", status=503, code=503, message=message)
    services.record_extract(current_user, access_request, "pdf")
    page = _extract_page(access_request)
    body = pdf.render(page.get_data(as_text=True), request.url_root)
    response = make_response(body)
    response.mimetype = "application/pdf"
    name = f"registerutdrag-{access_request.public_id}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/registerutdrag/<request:public_id>/utdrag.json")
@policy.allow(policy.leads_field_team)
def extract_json(public_id: str):
    """The extract as a JSON file (machine-readable, for a copy to carry elsewhere)."""
    access_request = policy.access_request_or_404(current_user, public_id)
    services.record_extract(current_user, access_request, "json")
    body = extract.as_json(extract.build(access_request.youth))
    response = make_response(body)
    response.mimetype = "application/json"
    name = f"registerutdrag-{access_request.public_id}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/registerutdrag/<request:public_id>/levererad", methods=["POST"])
@policy.allow(policy.leads_field_team)
def deliver(public_id: str):
    """Record that the extract was delivered, when and how."""
    access_request = policy.access_request_or_404(current_user, public_id)
    form = DeliveryForm()
    outcome = submit(
        form,
        lambda: services.mark_delivered(
            current_user,
            access_request,
            delivered_on=form.delivered_on.data,
            note=form.delivery_note.data or "",
        ),
    )
    if outcome.saved:
        flash(_("The delivery is recorded."), "success")
        return redirect(url_for("privacy.request_detail", public_id=public_id), 303)
    return _request_page(access_request, form, form_status(form, outcome))


# --- on the youth's page ----------------------------------------------------------------------


def _lead_only(youth: Youth):
    if not policy.leads_team_of(current_user, youth):
        return forbidden(services.ONLY_THE_LEAD)
    return None


def _back_to_youth(youth: Youth):
    return redirect(
        url_for("youths.youth_detail", public_id=youth.public_id, _anchor="records"), 303
    )


@bp.route("/ungdomar/<youth:public_id>/bevarande", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def set_hold(public_id: str):
    """Keep the youth's record past its retention time, with the reason (team lead)."""
    youth = policy.youth_or_404(current_user, public_id)
    refused = _lead_only(youth)
    if refused:
        return refused
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
def lift_hold(public_id: str):
    """Lift the legal hold: the record follows the retention rule again (team lead)."""
    youth = policy.youth_or_404(current_user, public_id)
    refused = _lead_only(youth)
    if refused:
        return refused
    outcome = submit(LiftHoldForm(), lambda: services.lift_hold(current_user, youth))
    if outcome.saved:
        flash(_("The legal hold is lifted."), "success")
    elif outcome.refusal:
        flash(outcome.refusal.message, "info")
    return _back_to_youth(youth)


@bp.route("/ungdomar/<youth:public_id>/registerutdrag", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def register_request(public_id: str):
    """Register a request for a register extract about the youth (team lead)."""
    youth = policy.youth_or_404(current_user, public_id)
    refused = _lead_only(youth)
    if refused:
        return refused
    form = AccessRequestForm()
    if not form.is_submitted():
        form.received_on.data = today()
    outcome = submit(
        form,
        lambda: services.register_request(
            current_user,
            youth,
            requested_by=Requester(form.requested_by.data) if form.requested_by.data else None,
            received_on=form.received_on.data,
        ),
    )
    if outcome.saved:
        flash(
            _(
                "The request is registered. The extract is due %(date)s.",
                date=format_date(outcome.result.due_on, "d MMMM yyyy"),
            ),
            "success",
        )
        return redirect(url_for("privacy.request_detail", public_id=outcome.result.public_id), 303)
    return render(
        "privacy/new_request.html",
        "form",
        status=form_status(form, outcome),
        form=form,
        youth=youth,
    )


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
