"""Marking risk on a youth and withdrawing a marking."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy
from outreach.htmx import render
from outreach.risk import bp, services
from outreach.risk.forms import RiskMarkingForm, WithdrawalForm
from outreach.views_common import forbidden, form_status, submit
from outreach.vocabulary import RiskLevel


@bp.route("/ungdomar/<youth:public_id>/orosmarkering", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def new_marking(public_id: str):
    """Mark risk on a youth: signs from the catalogue, a level, a review date."""
    youth = policy.youth_or_404(current_user, public_id)
    if not policy.can_mark_risk(current_user, youth):
        return forbidden(_("Only staff of the youth's own team can mark risk."))
    catalogue = services.catalogue()
    form = RiskMarkingForm()
    form.signs.choices = [(sign.id, sign.label) for signs in catalogue.values() for sign in signs]
    if not form.is_submitted():
        form.review_on.data = services.default_review_date()
    outcome = submit(
        form,
        lambda: services.mark(
            current_user,
            youth,
            level=RiskLevel(form.level.data) if form.level.data else None,
            sign_ids=form.signs.data or [],
            comment=form.comment.data or "",
            review_on=form.review_on.data,
        ),
    )
    if outcome.saved:
        flash(_("The risk marking is saved."), "success")
        return redirect(url_for("youths.youth_detail", public_id=youth.public_id), 303)
    return render(
        "risk/new.html",
        "form",
        status=form_status(form),
        form=form,
        youth=youth,
        catalogue=catalogue,
        current=services.current([youth.id]).get(youth.id),
    )


@bp.route("/orosmarkeringar/<marking:public_id>/aterkalla", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def withdraw(public_id: str):
    """Withdraw a marking, giving the reason; the marking stays in the history."""
    marking = policy.risk_marking_or_404(current_user, public_id)
    if not policy.can_withdraw_risk(current_user, marking):
        return forbidden(_("Only the author or a team lead can withdraw a marking."))
    form = WithdrawalForm()
    outcome = submit(form, lambda: services.withdraw(current_user, marking, form.reason.data))
    if outcome.saved:
        flash(_("The marking is withdrawn."), "success")
        return redirect(url_for("youths.youth_detail", public_id=marking.youth.public_id), 303)
    return render(
        "risk/withdraw.html", "form", status=form_status(form), form=form, marking=marking
    )
