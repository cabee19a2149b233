"""Handing a youth over to a receiving unit, the unit's inbox, and the steps taken on a
handoff."""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy, scopes
from outreach.auth import units as units_of
from outreach.clock import now
from outreach.errors import Conflict, RuleViolation
from outreach.handoffs import bp, first_contact, services
from outreach.handoffs.forms import FIELD_LABELS, HandoffForm, StepForm
from outreach.handoffs.models import Handoff
from outreach.htmx import render
from outreach.org.services import default_first_contact_hours
from outreach.paging import Cursor
from outreach.views_common import form_status, refused, submit
from outreach.vocabulary import HandoffStatus
from outreach.youths.models import Youth


@bp.route("/ungdomar/<youth:public_id>/overlamning", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_hand_over)
def new_handoff(youth: Youth):
    """Hand the youth over to a unit of the kommun (VPC unless another is chosen): reason,
    summary, urgency, legal basis, the fields to share."""
    units = {str(unit.id): unit for unit in units_of.receiving_units(youth.kommun_id)}
    form = HandoffForm()
    form.to_unit.choices = [(key, unit.name) for key, unit in units.items()]
    if request.method == "POST" and form.to_unit.data and form.to_unit.data not in units:
        abort(404)  # a unit of another kommun, or none: not one the sender can see
    if form.to_unit.data is None and units:
        default = units_of.default_unit(youth.kommun_id)
        form.to_unit.data = str(default.id) if default else None
    outcome = submit(
        form,
        lambda: services.send(
            current_user,
            youth,
            reason=form.reason.data or "",
            summary=form.summary.data or "",
            urgency=form.urgency.data,
            wants_to_leave_crime=form.wants_to_leave_crime.data,
            basis=form.basis.data,
            secrecy_assessed_by=form.secrecy_assessed_by.data or "",
            shared_fields=form.shared_fields.data or [],
            first_contact_hours=default_first_contact_hours(),
            base_url=current_app.config["BASE_URL"],
            to_unit=units[form.to_unit.data],
        ),
    )
    if outcome.saved:
        flash(_("The handoff is sent to %(unit)s.", unit=outcome.result.to_unit.name), "success")
        return redirect(url_for("handoffs.detail", public_id=outcome.result.public_id), 303)
    return render(
        "handoffs/new.html",
        "form",
        status=form_status(form),
        form=form,
        youth=youth,
        units=list(units.values()),
        hours=default_first_contact_hours(),
    )


@bp.route("/vpc")
@policy.allow(policy.unit_staff)
def inbox():
    """The inbox of the user's receiving units: the handoffs waiting for first contact, the
    most urgent first with the time left; then those in progress, a page at a time."""
    after = request.args.get("after", "")
    try:
        cursor = Cursor.decode(after) if after else None
    except RuleViolation as refusal:
        return refused(refusal.message)
    in_progress, next_cursor = services.in_progress(current_user, cursor)
    return render(
        "handoffs/inbox.html",
        waiting=services.waiting_for_first_contact(current_user) if cursor is None else [],
        in_progress=in_progress,
        next_page=next_cursor.encode() if next_cursor else None,
        later_page=cursor is not None,
        breaches=first_contact.breaches(
            policy.unit_ids(current_user), since=now() - timedelta(days=30)
        ),
    )


@bp.route("/overlamningar/<handoff:public_id>")
@policy.allow(policy.field_or_unit_staff)
@policy.loads(scopes.HANDOFF)
def detail(handoff: Handoff):
    """One handoff: what was shared, the reason and summary, the steps so far and next."""
    services.record_read(current_user, handoff)
    return _detail(handoff)


def _detail(handoff, status: int = 200, form: StepForm | None = None):
    withheld = handoff.status == HandoffStatus.WITHDRAWN and policy.can_act_on_handoff(
        current_user, handoff
    )
    return render(
        "handoffs/detail.html",
        status=status,
        handoff=handoff,
        # A withdrawn handoff shares nothing more: the unit no longer sees the youth's details.
        shared={"alias": handoff.shared_alias} if withheld else handoff.shared,
        withheld=withheld,
        field_labels=FIELD_LABELS,
        steps=services.steps_for(current_user, handoff),
        form=form or StepForm(formdata=None),
    )


@bp.route("/overlamningar/<handoff:public_id>/<step>", methods=["POST"])
@policy.allow(policy.field_or_unit_staff)
@policy.loads(scopes.HANDOFF)
def take_step(handoff: Handoff, step: str):
    """Take a step: acknowledge, first contact, accept, decline, close, or withdraw."""
    if step not in services.STEPS:
        abort(404)
    form = StepForm()
    outcome = submit(
        form,
        lambda: services.take_step(
            current_user,
            handoff,
            step,
            form.note.data or "",
            base_url=current_app.config["BASE_URL"],
        ),
    )
    if outcome.saved:
        flash(_("Saved: %(status)s.", status=outcome.result.label), "success")
        return redirect(url_for("handoffs.detail", public_id=handoff.public_id), 303)
    refused = outcome.refusal
    if refused is not None and refused.field is None and not isinstance(refused, Conflict):
        status = 403
    else:
        status = form_status(form, outcome)
    return _detail(handoff, status=status, form=form)
