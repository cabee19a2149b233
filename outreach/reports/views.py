"""Drafting, sending and printing a report of concern."""

from datetime import timedelta

from flask import current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach import editing, policy, scopes
from outreach.auth.units import intake_unit
from outreach.clock import now
from outreach.errors import Conflict
from outreach.htmx import render
from outreach.reports import bp, services
from outreach.reports.forms import NewReportForm, ReportEditForm, ReportForm, SendForm
from outreach.reports.models import ReportOfConcern
from outreach.views_common import edit, form_status, refused, submit
from outreach.youths.models import Youth


def _contents(form: ReportForm) -> services.ReportContents:
    return services.ReportContents(
        kinds=form.kinds.data or [],
        concern=form.concern.data or "",
        child_said=form.child_said.data or "",
        reporter_saw=form.reporter_saw.data or "",
        relation=form.relation.data or "",
        earlier_concern=form.earlier_concern.data or "",
        family_informed=form.family_informed.data,
    )


@bp.route("/ungdomar/<youth:public_id>/orosanmalan", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_report_concern)
def new_report(youth: Youth):
    """Start a report of concern about this child."""
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
@policy.loads(scopes.REPORT)
def report(report: ReportOfConcern):
    """The report: change it while it is a draft, or see it as sent."""
    form = _edit_form(report)
    outcome = edit(
        form,
        report,
        lambda: services.revise(current_user, report, _contents(form)),
        saved=lambda: _edit_form(report, saved=True),
        read=lambda what: services.record_read(current_user, report, what),
        shown="page",
    )
    if outcome.saved:
        flash(_("The draft is saved."), "success")
        return redirect(url_for("reports.report", public_id=report.public_id), 303)
    return render(
        "reports/form.html",
        "form",
        status=form_status(form, outcome),
        form=form,
        youth=report.youth,
        report=report,
        conflict=outcome.conflict,
        send_form=SendForm(formdata=None),
        intake=intake_unit(report.kommun_id) if report.sent_at is None else None,
    )


def _edit_form(report, saved: bool = False) -> ReportEditForm:
    """The draft's form; `saved`: filled from the report as saved, whatever was submitted."""
    form = editing.edit_form(ReportEditForm, report, saved)
    if saved or not form.is_submitted():
        form.kinds.data = list(report.concern_kinds)
    return form


@bp.route("/orosanmalningar/<report:public_id>/skicka", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.REPORT)
def deliver(report: ReportOfConcern):
    """Send the report to the kommun's intake unit inside Outreach."""
    outcome = submit(
        SendForm(), lambda: services.deliver(current_user, report, current_app.config["BASE_URL"])
    )
    if outcome.saved:
        flash(_("The report is sent to %(unit)s.", unit=outcome.result.name), "success")
    return _after_sending(report, outcome, "reports.report")


@bp.route("/orosanmalningar/<report:public_id>/skickad", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.REPORT)
def mark_sent(report: ReportOfConcern):
    """Record that the report was sent to the intake unit on paper (printed, or by their
    channel)."""
    outcome = submit(SendForm(), lambda: services.mark_sent(current_user, report))
    if outcome.saved:
        flash(_("The report is recorded as sent."), "success")
    return _after_sending(report, outcome, "reports.printable")


def _after_sending(report: ReportOfConcern, outcome, shown: str):
    """Sent: show it. Sent again by its author (a double tap), it shows the report as sent
    and records nothing; anyone else is refused, saying why."""
    if outcome.saved or (report.sent_at is not None and report.author_id == current_user.id):
        return redirect(url_for(shown, public_id=report.public_id), 303)
    return _refused(outcome)


@bp.route("/orosanmalningar/<report:public_id>/utskrift")
@policy.allow(policy.field_or_unit_staff)
@policy.loads(scopes.REPORT)
def printable(report: ReportOfConcern):
    """The report as it is sent: printable (the print stylesheet drops the navigation). The
    intake unit it was delivered to acknowledges receipt here."""
    services.record_read(current_user, report, "print")
    child = report.child or services.child_details(report.youth)
    return render(
        "reports/print.html",
        report=report,
        child=child,
        receive_form=SendForm(formdata=None)
        if policy.can_receive_report(current_user, report)
        else None,
    )


@bp.route("/orosanmalningar/<report:public_id>/mottagen", methods=["POST"])
@policy.allow(policy.intake_staff)
@policy.loads(scopes.REPORT)
def acknowledge(report: ReportOfConcern):
    """The intake unit has received the report. Sent again (a double tap, or a colleague at
    the same moment), it shows the report as received and records nothing."""
    outcome = submit(
        SendForm(),
        lambda: services.acknowledge(current_user, report, current_app.config["BASE_URL"]),
    )
    if outcome.saved:
        flash(_("The report is acknowledged as received."), "success")
    if outcome.saved or report.received_at is not None:
        return redirect(url_for("reports.inbox"), 303)
    return _refused(outcome)


def _refused(outcome):
    status = 409 if isinstance(outcome.refusal, Conflict) else 403
    return refused(outcome.refusal.message if outcome.refusal else _("Reload the page."), status)


@bp.route("/mottagning/orosanmalningar")
@policy.allow(policy.intake_staff)
def inbox():
    """The intake unit's reports of concern: those waiting for acknowledgement, the earliest
    first, then those received in the last 30 days."""
    waiting, received = services.intake_inbox(current_user, now() - timedelta(days=30))
    return render("reports/inbox.html", waiting=waiting, received=received)
