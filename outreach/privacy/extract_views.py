"""Register extracts (registerutdrag): a request about a youth is registered by a team lead,
tracked against its one-month deadline, produced as a page, PDF or JSON (each written to the
access log) and recorded as delivered."""

from flask import flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from outreach import pdf, policy, scopes
from outreach.clock import today
from outreach.exports import download
from outreach.htmx import render
from outreach.privacy import access_log, bp, extract, extract_sections, services
from outreach.privacy.forms import AccessRequestForm, DeliveryForm
from outreach.privacy.models import AccessRequest
from outreach.views_common import form_status, submit
from outreach.youths import services as youth_services
from outreach.youths.models import Youth


@bp.route("/registerutdrag")
@policy.allow(policy.leads_field_team)
def requests():
    """Register-extract requests waiting to be delivered, the earliest due first."""
    open_requests = services.open_requests(current_user)
    listed = sorted({r.youth_id for r in open_requests})
    access_log.record_listed(current_user, listed, access_log.LISTED_IN_REQUESTS)
    return render("privacy/requests.html", requests=open_requests, urgency=services.urgency)


def _request_page(access_request, form: DeliveryForm | None = None, status: int = 200):
    youth_services.record_read(current_user, access_request.youth, "register extract request")
    return render(
        "privacy/request.html",
        "delivery",
        status=status,
        access_request=access_request,
        urgency=services.urgency,
        form=form or DeliveryForm(formdata=None, delivered_on=today()),
        pdf_available=pdf.available(),
    )


@bp.route("/registerutdrag/<request:public_id>")
@policy.allow(policy.leads_field_team)
@policy.loads(scopes.ACCESS_REQUEST)
def request_detail(access_request: AccessRequest):
    """One request: its deadline, the extract in three forms, and its delivery."""
    return _request_page(access_request)


def _extract_page(access_request) -> str:
    document = extract.build(access_request.youth)
    return render(
        "privacy/extract.html",
        access_request=access_request,
        youth=access_request.youth,
        document=document,
        sections=extract_sections.SECTIONS,
        labels=extract_sections.LABELS,
        pdf_available=pdf.available(),
    )


@bp.route("/registerutdrag/<request:public_id>/utdrag")
@policy.allow(policy.leads_field_team)
@policy.loads(scopes.ACCESS_REQUEST)
def extract_page(access_request: AccessRequest):
    """The extract as a page to read and print; producing it is written to the access log."""
    services.record_extract(current_user, access_request, "html")
    return _extract_page(access_request)


@bp.route("/registerutdrag/<request:public_id>/utdrag.pdf")
@policy.allow(policy.leads_field_team)
@policy.loads(scopes.ACCESS_REQUEST)
def extract_pdf(access_request: AccessRequest):
    """The extract as a PDF file."""
    if not pdf.available():
        message = _("PDF cannot be made on this server. Open the extract and print it instead.")
        return render("errors/error.html", status=503, code=503, message=message)
    services.record_extract(current_user, access_request, "pdf")
    page = _extract_page(access_request)
    body = pdf.render(page.get_data(as_text=True), request.url_root)
    return download(body, "application/pdf", f"registerutdrag-{access_request.public_id}.pdf")


@bp.route("/registerutdrag/<request:public_id>/utdrag.json")
@policy.allow(policy.leads_field_team)
@policy.loads(scopes.ACCESS_REQUEST)
def extract_json(access_request: AccessRequest):
    """The extract as a JSON file (machine-readable, for a copy to carry elsewhere)."""
    services.record_extract(current_user, access_request, "json")
    body = extract.as_json(extract.build(access_request.youth))
    return download(body, "application/json", f"registerutdrag-{access_request.public_id}.json")


@bp.route("/registerutdrag/<request:public_id>/levererad", methods=["POST"])
@policy.allow(policy.leads_field_team)
@policy.loads(scopes.ACCESS_REQUEST)
def deliver(access_request: AccessRequest):
    """Record that the extract was delivered, when and how."""
    form = DeliveryForm()
    outcome = submit(
        form,
        lambda: services.mark_delivered(
            current_user,
            access_request,
            delivered_on=form.delivered_on.data,
            note=form.delivery_note.data or "",
        ),
    )
    if outcome.saved:
        flash(_("The delivery is recorded."), "success")
        return redirect(url_for("privacy.request_detail", public_id=access_request.public_id), 303)
    return _request_page(access_request, form, form_status(form, outcome))


@bp.route("/ungdomar/<youth:public_id>/registerutdrag", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.keeps_records_of)
def register_request(youth: Youth):
    """Register a request for a register extract about the youth (team lead)."""
    form = AccessRequestForm()
    if not form.is_submitted():
        form.received_on.data = today()
    outcome = submit(
        form,
        lambda: services.register_request(
            current_user,
            youth,
            requested_by=form.requested_by.data,
            received_on=form.received_on.data,
        ),
    )
    if outcome.saved:
        flash(
            _(
                "The request is registered. The extract is due %(date)s.",
                date=format_date(outcome.result.due_on, "d MMMM yyyy"),
            ),
            "success",
        )
        return redirect(url_for("privacy.request_detail", public_id=outcome.result.public_id), 303)
    return render(
        "privacy/new_request.html",
        "form",
        status=form_status(form, outcome),
        form=form,
        youth=youth,
    )
