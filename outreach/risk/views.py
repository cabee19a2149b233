"""Marking risk on a youth and withdrawing a marking."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy, scopes
from outreach.htmx import render
from outreach.risk import bp, services
from outreach.risk.forms import RiskMarkingForm, WithdrawalForm
from outreach.risk.models import RiskMarking
from outreach.views_common import form_status, submit
from outreach.youths.models import Youth


@bp.route("/ungdomar/<youth:public_id>/orosmarkering", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_mark_risk)
def new_marking(youth: Youth):
    """Mark risk on a youth: signs from the catalogue, a level, a review date."""
    catalogue = services.catalogue(current_user.kommun_id)
    form = RiskMarkingForm()
    form.signs.choices = [(sign.id, sign.label) for signs in catalogue.values() for sign in signs]
    if not form.is_submitted():
        form.review_on.data = services.default_review_date()
    outcome = submit(
        form,
        lambda: services.mark(
            current_user,
            youth,
            level=form.level.data,
            sign_ids=form.signs.data or [],
            comment=form.comment.data or "",
            review_on=form.review_on.data,
        ),
    )
    if outcome.saved:
        flash(_("The risk marking is saved."), "success")
        return redirect(url_for("casefile.youth", public_id=youth.public_id), 303)
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
@policy.loads(scopes.RISK_MARKING, may=policy.can_withdraw_risk)
def withdraw(marking: RiskMarking):
    """Withdraw a marking, giving the reason; the marking stays in the history."""
    form = WithdrawalForm()
    outcome = submit(form, lambda: services.withdraw(current_user, marking, form.reason.data))
    if outcome.saved:
        flash(_("The marking is withdrawn."), "success")
        return redirect(url_for("casefile.youth", public_id=marking.youth.public_id), 303)
    return render(
        "risk/withdraw.html", "form", status=form_status(form), form=form, marking=marking
    )
