"""The team lead's review list, its exports, the sign-off of shifts and the review's part of a
shift's page."""

from dataclasses import replace

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from outreach import policy, scopes
from outreach.clock import now, today
from outreach.errors import RuleViolation
from outreach.exports import statement_csv_response, statement_table, xlsx_response
from outreach.fields import options
from outreach.htmx import is_partial, part, render
from outreach.paging import Cursor
from outreach.review import bp, filters, log, log_export, services, shift_rows
from outreach.review.filters import ReviewFilter
from outreach.review.forms import (
    OLDEST,
    ResubmitForm,
    ReturnForm,
    ReviewFilterForm,
    SignOffForm,
)
from outreach.risk import services as risk_services
from outreach.shifts.models import Shift
from outreach.shifts.views import render_shift, review_part
from outreach.views_common import attach_error, form_status, submit
from outreach.vocabulary import (
    GENDER_PLURAL,
    Action,
    AgeBand,
    ContactKind,
    Gender,
    ReviewStatus,
    RiskLevel,
    Topic,
)

#: The vocabularies whose labels an export of the list writes.
VOCABULARIES = (AgeBand, Topic, Action, ContactKind, ReviewStatus)

SHOW_CONTACTS, SHOW_SHIFTS = "contacts", "shifts"
EVERYONE = _l("All")


def _filter_form() -> ReviewFilterForm:
    form = ReviewFilterForm(request.args)
    teams = sorted(current_user.field_teams, key=lambda team: team.name)
    form.team.choices = options([("", _l("All my teams")), *((t.id, t.name) for t in teams)])
    offered = filters.choices(current_user)
    form.area.choices = options([("", EVERYONE), *((a.id, a.name) for a in offered.areas)])
    form.place.choices = options(
        [("", EVERYONE), *((p.id, f"{p.name} ({area})") for p, area in offered.places)]
    )
    form.worker.choices = options(
        [("", EVERYONE), *((u.id, u.display_name) for u in offered.workers)]
    )
    form.topic.choices = options([("", EVERYONE), *Topic.pairs()])
    form.kind.choices = options([("", EVERYONE), *ContactKind.pairs()])
    form.risk.choices = options([("", EVERYONE), *RiskLevel.pairs()])
    form.status.choices = options([("", EVERYONE), *ReviewStatus.pairs()])
    return form


def _wanted(form: ReviewFilterForm) -> ReviewFilter:
    team_ids = tuple(t.id for t in current_user.field_teams)
    return ReviewFilter(
        team_ids=(form.team.data,) if form.team.data else team_ids,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        area_id=form.area.data,
        place_id=form.place.data,
        worker_id=form.worker.data,
        topic=form.topic.data,
        kind=form.kind.data,
        risk=form.risk.data,
        status=form.status.data,
        oldest_first=form.order.data == OLDEST,
    )


def _filters_in_address(**changes) -> dict:
    """The current filters as address arguments, with some changed (None drops one)."""
    args = {key: value for key, value in request.args.items() if value}
    args.update(changes)
    return {key: value for key, value in args.items() if value is not None}


def _list_page(form, show: str, page: filters.Page, status: int):
    next_args = None
    if page.next_cursor is not None:
        next_args = _filters_in_address(after=page.next_cursor.encode(), show=show)
    return render(
        "review/index.html",
        "rows",
        status=status,
        form=form,
        show=show,
        page=page,
        next_args=next_args,
        first_page_args=_filters_in_address(after=None, show=show),
        tab_args={
            name: _filters_in_address(after=None, show=name)
            for name in (SHOW_CONTACTS, SHOW_SHIFTS)
        },
        export_args=_filters_in_address(after=None, show=None),
        partial=is_partial(),
    )


@bp.route("/granskning")
@policy.allow(policy.leads_field_team)
def index():
    """The team's log, filtered and paged: contacts or shifts, newest (or oldest) first."""
    form = _filter_form()
    show = SHOW_SHIFTS if request.args.get("show") == SHOW_SHIFTS else SHOW_CONTACTS
    page = filters.Page([], None)
    if not form.validate():
        return _list_page(form, show, page, 400)
    try:
        cursor = Cursor.decode(form.after.data) if form.after.data else None
    except RuleViolation as refusal:
        attach_error(form, refusal)
        return _list_page(form, show, page, 400)
    wanted = _wanted(form)
    if show == SHOW_SHIFTS:
        page = shift_rows.shift_page(current_user, wanted, cursor)
    else:
        page = log.contact_page(current_user, wanted, cursor)
        listed = log.listed_youths(page.entries)
        page.levels = risk_services.current(listed)
        log.record_listed(current_user, listed, "review list")
    return _list_page(form, show, page, 200)


def _log_header(labels: dict) -> list[str]:
    """The export's columns (review/export.py writes its rows)."""
    return [
        _("Time"),
        _("Kind"),
        _("Team"),
        _("Area"),
        _("Place"),
        _("Youths"),
        *(str(GENDER_PLURAL[gender]) for gender in Gender),
        *(labels[band] for band in AgeBand),
        _("Topics"),
        _("Actions"),
        _("Named youths"),
        _("Logged by"),
        _("Out together"),
        _("Review"),
    ]


@bp.route("/granskning/export.<any(csv, xlsx):fmt>")
@policy.allow(policy.leads_field_team)
def export(fmt: str):
    """The filtered list as CSV or XLSX; named youths in it are written to the access log."""
    form = _filter_form()
    if not form.validate():
        return _list_page(form, SHOW_CONTACTS, filters.Page([], None), 400)
    wanted = replace(_wanted(form), logged_by=now())
    log.record_exported(current_user, log.youths_in(current_user, wanted), f"review list {fmt}")
    labels = {member: str(member.label) for vocabulary in VOCABULARIES for member in vocabulary}
    named = log_export.Labels(labels, _("%(alias)s (protected identity)", alias="{}"))
    header = _log_header(labels)
    filename = f"kontakter-{today().isoformat()}.{fmt}"
    if fmt == "csv":
        rows = log_export.statement(current_user, wanted, named, time_text=True)
        return statement_csv_response(filename, header, rows)
    rows = log_export.statement(current_user, wanted, named, time_text=False)
    return xlsx_response(filename, [statement_table(_("Contacts"), header, rows)])


# --- sign-off -------------------------------------------------------------------------------


def _back_to(shift) -> str:
    """Where to go after a review step: the list the lead came from, or the shift."""
    target = request.form.get("next", "")
    if target.startswith("/granskning") and "//" not in target:
        return target
    return _shift_page(shift)


def _review_step(shift: Shift, form_class, act, done, form_name: str, back):
    """A review step on a shift, loaded and authorized: the form through the service → back
    with a message, or the shift's page with the form's errors (422)."""
    form = form_class()
    outcome = submit(form, lambda: act(form))
    if outcome.saved:
        flash(done, "success")
        return redirect(back(shift), 303)
    return render_shift(shift, status=form_status(form, outcome), **{form_name: form})


def _shift_page(shift) -> str:
    return url_for("shifts.shift_detail", public_id=shift.public_id)


@bp.route("/faltpass/<shift:public_id>/granskad", methods=["POST"])
@policy.allow(policy.leads_field_team)
@policy.loads(scopes.SHIFT, may=policy.reviews_team_shifts)
def sign_off(shift: Shift):
    """Mark an ended shift as reviewed."""
    return _review_step(
        shift,
        SignOffForm,
        lambda _form: services.sign_off(current_user, shift),
        _("The shift is marked as reviewed."),
        "sign_off_form",
        _back_to,
    )


@bp.route("/faltpass/<shift:public_id>/aterlamna", methods=["POST"])
@policy.allow(policy.leads_field_team)
@policy.loads(scopes.SHIFT, may=policy.reviews_team_shifts)
def return_shift(shift: Shift):
    """Return an ended shift to its workers with a comment."""
    return _review_step(
        shift,
        ReturnForm,
        lambda form: services.return_to_workers(current_user, shift, form.comment.data or ""),
        _("The shift is returned to its workers."),
        "return_form",
        _back_to,
    )


@bp.route("/faltpass/<shift:public_id>/svara", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.SHIFT, may=policy.is_shift_worker)
def resubmit(shift: Shift):
    """Answer a returned shift and send it back for review."""
    return _review_step(
        shift,
        ResubmitForm,
        lambda form: services.resubmit(current_user, shift, form.comment.data or ""),
        _("The shift is sent back for review."),
        "resubmit_form",
        _shift_page,
    )


@review_part.connect
def shift_review_part(shift: Shift, *, user, forms) -> Markup | None:
    """The shift page's review: where the review stands, its steps, and the forms of the
    steps the user may take now (as refused, after a refused step)."""
    if shift.is_open:
        return None
    return part(
        "review/_shift_review.html",
        shift=shift,
        review_steps=services.history(shift),
        can_review=policy.can_review_shift(user, shift),
        can_resubmit=policy.can_resubmit_shift(user, shift),
        sign_off_form=forms.get("sign_off_form") or SignOffForm(),
        return_form=forms.get("return_form") or ReturnForm(),
        resubmit_form=forms.get("resubmit_form") or ResubmitForm(),
    )
