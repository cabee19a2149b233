"""Recording consent for a youth and recording its withdrawal."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy, scopes
from outreach.consent import bp, services
from outreach.consent.forms import ConsentRecordForm, ConsentWithdrawalForm
from outreach.consent.models import Consent
from outreach.htmx import render
from outreach.views_common import form_status, submit
from outreach.youths.models import Youth


@bp.route("/ungdomar/<youth:public_id>/samtycke", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_record_consent)
def new_consent(youth: Youth):
    """Record one party's consent (who, to whom, purpose, oral or written, dates)."""
    form = ConsentRecordForm()
    outcome = submit(
        form,
        lambda: services.record(
            current_user,
            youth,
            given_by=form.given_by.data,
            recipients=form.recipients.data or [],
            other_recipient=form.other_recipient.data or "",
            purpose=form.purpose.data or "",
            form=form.given_as.data,
            given_on=form.given_on.data,
            expires_on=form.expires_on.data,
        ),
    )
    if outcome.saved:
        flash(_("The consent is recorded."), "success")
        return redirect(url_for("casefile.youth", public_id=youth.public_id), 303)
    return render("consent/new.html", "form", status=form_status(form), form=form, youth=youth)


@bp.route("/samtycken/<consent:public_id>/aterkalla", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.CONSENT, may=policy.can_withdraw_consent)
def withdraw(consent: Consent):
    """Record that a consent is withdrawn; sharing that relies on it stops at once."""
    form = ConsentWithdrawalForm()
    stopped = []  # what the withdrawal stopped, each said on the next page

    def withdraw_and_stop_sharing():
        withdrawal, consequences = services.withdraw(
            current_user, consent, withdrawn_on=form.withdrawn_on.data, reason=form.reason.data
        )
        stopped.extend(consequences)
        return withdrawal

    outcome = submit(form, withdraw_and_stop_sharing)
    if outcome.saved:
        flash(_("The withdrawal is recorded."), "success")
        for message in stopped:
            flash(message, "info")
        return redirect(url_for("casefile.youth", public_id=consent.youth.public_id), 303)
    return render(
        "consent/withdraw.html", "form", status=form_status(form), form=form, consent=consent
    )
