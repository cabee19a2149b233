"""The team lead's review list, its exports, and the sign-off of shifts."""

from dataclasses import replace

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from outreach import audit, policy
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.clock import now, today
from outreach.errors import RuleViolation
from outreach.exports import Table, csv_response, xlsx_response
from outreach.extensions import db
from outreach.fields import options
from outreach.htmx import is_partial, render
from outreach.org.models import Area, Place
from outreach.paging import Cursor
from outreach.review import bp, services
from outreach.review.forms import (
    OLDEST,
    ResubmitForm,
    ReturnForm,
    ReviewFilterForm,
    SignOffForm,
)
from outreach.review.services import ReviewFilter
from outreach.risk import services as risk_services
from outreach.shifts import services as shift_services
from outreach.shifts.views import render_shift
from outreach.views_common import attach_error, forbidden, form_status, submit
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
    # the areas and places the lead's teams have worked in, not the whole country's
    worked = list(db.session.execute(shift_services.worked_areas(t.id for t in teams)).scalars())
    areas = db.session.execute(
        select(Area).where(Area.id.in_(worked)).order_by(Area.name)
    ).scalars()
    form.area.choices = options([("", EVERYONE), *((a.id, a.name) for a in areas)])
    places = db.session.execute(
        select(Place, Area.name)
        .join(Area, Area.id == Place.area_id)
        .where(Area.id.in_(worked))
        .order_by(Area.name, Place.name)
    ).all()
    form.place.choices = options(
        [("", EVERYONE), *((p.id, f"{p.name} ({area})") for p, area in places)]
    )
    workers = db.session.execute(
        policy.team_workers(current_user).order_by(User.display_name)
    ).scalars()
    form.worker.choices = options([("", EVERYONE), *((u.id, u.display_name) for u in workers)])
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
        topic=Topic(form.topic.data) if form.topic.data else None,
        kind=ContactKind(form.kind.data) if form.kind.data else None,
        risk=RiskLevel(form.risk.data) if form.risk.data else None,
        status=ReviewStatus(form.status.data) if form.status.data else None,
        oldest_first=form.order.data == OLDEST,
    )


def _filters_in_address(**changes) -> dict:
    """The current filters as address arguments, with some changed (None drops one)."""
    args = {key: value for key, value in request.args.items() if value}
    args.update(changes)
    return {key: value for key, value in args.items() if value is not None}


def _list_page(form, show: str, page: services.Page, status: int):
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
    page = services.Page([], None)
    if not form.validate():
        return _list_page(form, show, page, 400)
    try:
        cursor = Cursor.decode(form.after.data) if form.after.data else None
    except RuleViolation as refusal:
        attach_error(form, refusal)
        return _list_page(form, show, page, 400)
    wanted = _wanted(form)
    if show == SHOW_SHIFTS:
        page = services.shift_page(current_user, wanted, cursor)
    else:
        page = services.contact_page(current_user, wanted, cursor)
        listed = services.listed_youths(page.entries)
        page.levels = risk_services.current(listed)
        audit.record_youths(AuditAction.LIST, listed, user_id=current_user.id, detail="review list")
    response = _list_page(form, show, page, 200)
    return response


def log_table(rows) -> Table:
    """The review list as a table to export: one row per contact, no free text."""
    labels = {member: str(member.label) for vocabulary in VOCABULARIES for member in vocabulary}
    protected = _("%(alias)s (protected identity)", alias="{}")
    header = [
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
    categories = [*Gender, *AgeBand]

    def cells():
        for row in rows:
            anonymous = row.kind == ContactKind.ANONYMOUS
            yield [
                row.occurred_at,
                labels[row.kind],
                row.shift.team,
                row.shift.area,
                row.place,
                row.youth_count,
                *(row.counts.get(str(c), 0) if anonymous else None for c in categories),
                ", ".join(labels[topic] for topic in row.topics),
                ", ".join(labels[action] for action in row.actions),
                ", ".join(
                    protected.format(youth.alias) if youth.protected_identity else youth.alias
                    for youth in row.youths
                ),
                row.author,
                ", ".join(row.shift.workers),
                labels[row.shift.review_status],
            ]

    return Table(_("Contacts"), header, cells())


@bp.route("/granskning/export.<any(csv, xlsx):fmt>")
@policy.allow(policy.leads_field_team)
def export(fmt: str):
    """The filtered list as CSV or XLSX; named youths in it are written to the access log."""
    form = _filter_form()
    if not form.validate():
        return _list_page(form, SHOW_CONTACTS, services.Page([], None), 400)
    wanted = replace(_wanted(form), logged_by=now())
    youth_ids = services.youths_in(current_user, wanted)
    audit.record_youths(
        AuditAction.EXPORT, youth_ids, user_id=current_user.id, detail=f"review list {fmt}"
    )
    user_id = current_user.id

    def entries():
        # Read while the response is sent: the user is loaded again, since the request's
        # objects are gone from the session by then.
        yield from services.export_rows(db.session.get(User, user_id), wanted)

    table = log_table(entries())
    filename = f"kontakter-{today().isoformat()}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, [table])
    return xlsx_response(filename, [table])


# --- sign-off -------------------------------------------------------------------------------


def _back_to(shift) -> str:
    """Where to go after a review step: the list the lead came from, or the shift."""
    target = request.form.get("next", "")
    if target.startswith("/granskning") and "//" not in target:
        return target
    return _shift_page(shift)


def _review_step(public_id, may, refusal, form_class, act, done, form_name, back):
    """A review step on a shift: load (404) → may the user (403) → the form through the
    service → back with a message, or the shift's page with the form's errors (422)."""
    shift = policy.shift_or_404(current_user, public_id)
    if not may(current_user, shift):
        return forbidden(refusal)
    form = form_class()
    outcome = submit(form, lambda: act(shift, form))
    if outcome.saved:
        flash(done, "success")
        return redirect(back(shift), 303)
    return render_shift(shift, status=form_status(form, outcome), **{form_name: form})


def _shift_page(shift) -> str:
    return url_for("shifts.shift_detail", public_id=shift.public_id)


@bp.route("/faltpass/<shift:public_id>/granskad", methods=["POST"])
@policy.allow(policy.leads_field_team)
def sign_off(public_id: str):
    """Mark an ended shift as reviewed."""
    return _review_step(
        public_id,
        policy.leads_team_of,
        _("Only a lead of the shift's team can review it."),
        SignOffForm,
        lambda shift, _form: services.sign_off(current_user, shift),
        _("The shift is marked as reviewed."),
        "sign_off_form",
        _back_to,
    )


@bp.route("/faltpass/<shift:public_id>/aterlamna", methods=["POST"])
@policy.allow(policy.leads_field_team)
def return_shift(public_id: str):
    """Return an ended shift to its workers with a comment."""
    return _review_step(
        public_id,
        policy.leads_team_of,
        _("Only a lead of the shift's team can review it."),
        ReturnForm,
        lambda shift, form: services.return_to_workers(
            current_user, shift, form.comment.data or ""
        ),
        _("The shift is returned to its workers."),
        "return_form",
        _back_to,
    )


@bp.route("/faltpass/<shift:public_id>/svara", methods=["POST"])
@policy.allow(policy.field_staff)
def resubmit(public_id: str):
    """Answer a returned shift and send it back for review."""
    return _review_step(
        public_id,
        policy.is_shift_worker,
        _("Only the shift's workers can answer a returned shift."),
        ResubmitForm,
        lambda shift, form: services.resubmit(current_user, shift, form.comment.data or ""),
        _("The shift is sent back for review."),
        "resubmit_form",
        _shift_page,
    )
