"""Drafting, sending and printing a report of concern."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import editing, policy
from outreach.errors import Conflict
from outreach.htmx import render
from outreach.reports import bp, services
from outreach.reports.forms import NewReportForm, ReportEditForm, ReportForm, SendForm
from outreach.views_common import forbidden, form_status, refused, submit


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
    form = _edit_form(found)
    outcome = submit(
        form,
        lambda: services.revise(current_user, found, _contents(form)),
        edits=found,
        saved=lambda: _edit_form(found, saved=True),
    )
    if outcome.saved:
        flash(_("The draft is saved."), "success")
        return redirect(url_for("reports.report", public_id=found.public_id), 303)
    if outcome.conflict:  # the page shows what someone else saved: a read like any other
        services.record_read(current_user, found, "edit conflict")
    return render(
        "reports/form.html",
        "form",
        status=form_status(form, outcome),
        form=form,
        youth=found.youth,
        report=found,
        conflict=outcome.conflict,
        send_form=SendForm(formdata=None),
    )


def _edit_form(report, saved: bool = False) -> ReportEditForm:
    """The draft's form; `saved`: filled from the report as saved, whatever was submitted."""
    form = editing.edit_form(ReportEditForm, report, saved)
    if saved or not form.is_submitted():
        form.kinds.data = [kind.value for kind in report.concern_kinds]
    return form


@bp.route("/orosanmalningar/<report:public_id>/skickad", methods=["POST"])
@policy.allow(policy.field_staff)
def mark_sent(public_id: str):
    """Record that the report was sent to the intake unit (printed or by their channel). Sent
    again by its author (a double tap), it shows the report as sent and records nothing."""
    found = policy.report_or_404(current_user, public_id)
    form = SendForm()
    outcome = submit(form, lambda: services.mark_sent(current_user, found))
    if outcome.saved or (found.sent_at is not None and found.author_id == current_user.id):
        flash(_("The report is recorded as sent."), "success")
        return redirect(url_for("reports.printable", public_id=found.public_id), 303)
    status = 409 if isinstance(outcome.refusal, Conflict) else 403
    return refused(outcome.refusal.message if outcome.refusal else _("Reload the page."), status)


@bp.route("/orosanmalningar/<report:public_id>/utskrift")
@policy.allow(policy.field_staff)
def printable(public_id: str):
    """The report as it is sent: printable (the print stylesheet drops the navigation)."""
    found = policy.report_or_404(current_user, public_id)
    services.record_read(current_user, found, "print")
    child = found.child or services.child_details(found.youth)
    return render("reports/print.html", report=found, child=child)
