"""Recording consent for a youth and recording its withdrawal."""

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy
from outreach.consent import bp, services
from outreach.consent.forms import ConsentRecordForm, ConsentWithdrawalForm
from outreach.handoffs import services as handoff_services
from outreach.htmx import render
from outreach.views_common import forbidden, form_status, submit
from outreach.vocabulary import ConsentForm, ConsentParty, Recipient


@bp.route("/ungdomar/<youth:public_id>/samtycke", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def new_consent(public_id: str):
    """Record one party's consent (who, to whom, purpose, oral or written, dates)."""
    youth = policy.youth_or_404(current_user, public_id)
    if not policy.can_record_consent(current_user, youth):
        return forbidden(_("Only staff of the youth's own team can record consent."))
    form = ConsentRecordForm()
    outcome = submit(
        form,
        lambda: services.record(
            current_user,
            youth,
            given_by=ConsentParty(form.given_by.data) if form.given_by.data else None,
            recipients=[Recipient(r) for r in form.recipients.data or []],
            other_recipient=form.other_recipient.data or "",
            purpose=form.purpose.data or "",
            form=ConsentForm(form.given_as.data) if form.given_as.data else None,
            given_on=form.given_on.data,
            expires_on=form.expires_on.data,
        ),
    )
    if outcome.saved:
        flash(_("The consent is recorded."), "success")
        return redirect(url_for("youths.youth_detail", public_id=youth.public_id), 303)
    return render("consent/new.html", "form", status=form_status(form), form=form, youth=youth)


@bp.route("/samtycken/<consent:public_id>/aterkalla", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def withdraw(public_id: str):
    """Record that a consent is withdrawn; sharing that relies on it stops at once."""
    consent = policy.consent_or_404(current_user, public_id)
    if not policy.can_record_consent(current_user, consent.youth):
        return forbidden(_("Only staff of the youth's own team can record consent."))
    form = ConsentWithdrawalForm()

    stopped = []

    def withdraw_and_stop_sharing():
        withdrawal = services.withdraw(
            current_user, consent, withdrawn_on=form.withdrawn_on.data, reason=form.reason.data
        )
        stopped.extend(
            handoff_services.stop_sharing_without_consent(
                current_user, consent.youth, current_app.config["BASE_URL"]
            )
        )
        return withdrawal

    outcome = submit(form, withdraw_and_stop_sharing)
    if outcome.saved:
        flash(_("The withdrawal is recorded."), "success")
        if stopped:
            flash(_("The handoff to VPC that rested on the consent is withdrawn."), "info")
        return redirect(url_for("youths.youth_detail", public_id=consent.youth.public_id), 303)
    return render(
        "consent/withdraw.html", "form", status=form_status(form), form=form, consent=consent
    )
