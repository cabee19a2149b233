"""Drafting, sending and printing a report of concern."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy
from outreach.extensions import db
from outreach.htmx import render
from outreach.reports import bp, services
from outreach.reports.forms import NewReportForm, ReportForm, SendForm
from outreach.views_common import forbidden, form_status, submit


def _contents(form: ReportForm) -> services.ReportContents:
    return services.ReportContents(
        kinds=services.kinds_from(form.kinds.data or []),
        concern=form.concern.data or "",
        child_said=form.child_said.data or "",
        reporter_saw=form.reporter_saw.data or "",
        relation=form.relation.data or "",
        earlier_concern=form.earlier_concern.data or "",
        family_informed=form.family_informed.data,
    )


@bp.route("/ungdomar/<youth:public_id>/orosanmalan", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def new_report(public_id: str):
    """Start a report of concern about this child."""
    youth = policy.youth_or_404(current_user, public_id)
    if not policy.can_report_concern(current_user, youth):
        return forbidden(_("Only staff of the child's own team can report concern."))
    form = NewReportForm()
    outcome = submit(form, lambda: services.draft(current_user, youth, _contents(form)))
    if outcome.saved:
        flash(_("The draft is saved. Send it today."), "success")
        return redirect(url_for("reports.report", public_id=outcome.result.public_id), 303)
    return render(
        "reports/form.html", "form", status=form_status(form), form=form, youth=youth, report=None
    )


@bp.route("/orosanmalningar/<report:public_id>", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def report(public_id: str):
    """The report: change it while it is a draft, or see it as sent."""
    found = policy.report_or_404(current_user, public_id)
    if request.method == "GET":
        services.record_read(current_user, found, "page")
        db.session.commit()
    form = ReportForm(obj=found)
    if not form.is_submitted():
        form.kinds.data = [kind.value for kind in found.concern_kinds]
    outcome = submit(form, lambda: services.revise(current_user, found, _contents(form)))
    if outcome.saved:
        flash(_("The draft is saved."), "success")
        return redirect(url_for("reports.report", public_id=found.public_id), 303)
    return render(
        "reports/form.html",
        "form",
        status=form_status(form),
        form=form,
        youth=found.youth,
        report=found,
        send_form=SendForm(formdata=None),
    )


@bp.route("/orosanmalningar/<report:public_id>/skickad", methods=["POST"])
@policy.allow(policy.field_staff)
def mark_sent(public_id: str):
    """Record that the report was sent to the intake unit (printed or by their channel)."""
    found = policy.report_or_404(current_user, public_id)
    form = SendForm()
    outcome = submit(form, lambda: services.mark_sent(current_user, found))
    if outcome.saved:
        flash(_("The report is recorded as sent."), "success")
        return redirect(url_for("reports.printable", public_id=found.public_id), 303)
    return forbidden(outcome.refusal.message if outcome.refusal else _("Reload the page."))


@bp.route("/orosanmalningar/<report:public_id>/utskrift")
@policy.allow(policy.field_staff)
def printable(public_id: str):
    """The report as it is sent: printable (the print stylesheet drops the navigation)."""
    found = policy.report_or_404(current_user, public_id)
    services.record_read(current_user, found, "print")
    db.session.commit()
    child = found.child or services.child_details(found.youth)
    return render("reports/print.html", report=found, child=child)
