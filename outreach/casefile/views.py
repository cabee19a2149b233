"""Finding a youth, the youth's page, who sees a protected record, and merging two records."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from outreach import policy, scopes
from outreach.casefile import bp, merge
from outreach.consent import services as consent_services
from outreach.errors import RuleViolation
from outreach.fields import options
from outreach.handoffs import services as handoff_services
from outreach.htmx import render
from outreach.paging import Cursor
from outreach.privacy import services as privacy_services
from outreach.reports import services as report_services
from outreach.risk import services as risk_services
from outreach.shifts import services as shift_services
from outreach.views_common import form_status, refused, searched_for, submit
from outreach.vocabulary import Recipient
from outreach.youths import contacts as youth_contacts
from outreach.youths import duplicates, protection
from outreach.youths import services as youth_services
from outreach.youths.forms import GrantAccessForm, MergeForm
from outreach.youths.models import Youth

#: Markings listed on the youth's page unless all are asked for.
MARKINGS_SHOWN = 10


@bp.route("/ungdomar", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def search():
    """Find a youth by alias, name or birth year (live search with htmx, a plain form without)."""
    query = searched_for()
    youths = youth_services.search(current_user, query)
    levels = risk_services.current(youth.id for youth in youths)
    return render("casefile/search.html", "results", query=query, youths=youths, levels=levels)


@bp.route("/ungdomar/<youth:public_id>")
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH)
def youth(youth: Youth):
    """The youth's page: what is known, and the timeline of contacts (a page at a time)."""
    return _youth_page(youth)


def _grant_form(youth: Youth) -> GrantAccessForm:
    form = GrantAccessForm()
    form.user.choices = options(
        [("", _l("Choose")), *((u.id, u.display_name) for u in protection.candidates(youth))]
    )
    return form


def _youth_page(youth: Youth, status: int = 200, grant_form: GrantAccessForm | None = None):
    """The youth's page; showing it is a read, written to the access log. `after` (a page of
    the timeline further back) and `markeringar=alla` (every marking) come from the address."""
    after = request.args.get("after", "")
    try:
        cursor = Cursor.decode(after) if after else None
    except RuleViolation as refusal:
        return refused(refusal.message)
    youth_services.record_read(current_user, youth)
    timeline, next_cursor = youth_contacts.timeline(current_user, youth, cursor)
    every_marking = request.args.get("markeringar") == "alla"
    markings = risk_services.history(youth, None if every_marking else MARKINGS_SHOWN + 1)
    shift = shift_services.open_shift_of(current_user)
    handoffs = handoff_services.handoffs_of(youth)
    manages_access = policy.can_manage_protected_access(current_user, youth)
    return render(
        "casefile/youth.html",
        status=status,
        youth=youth,
        timeline=timeline,
        timeline_next=next_cursor.encode() if next_cursor else None,
        timeline_later=cursor is not None,
        history=youth_services.history(youth),
        markings=markings[:MARKINGS_SHOWN] if not every_marking else markings,
        more_markings=len(markings) > MARKINGS_SHOWN and not every_marking,
        current_marking=risk_services.current_in(markings),
        can_mark=policy.can_mark_risk(current_user, youth),
        consents=consent_services.consents_of(youth),
        vpc_consent=consent_services.coverage(youth, Recipient.VPC),
        handoffs=handoffs,
        reports=report_services.reports_of(youth),
        open_handoff=handoff_services.open_among(handoffs),
        open_shift=shift if shift and shift.team_id == youth.team_id else None,
        can_edit=policy.can_edit_youth(current_user, youth),
        access=protection.grants(youth) if manages_access else None,
        grant_form=(grant_form or _grant_form(youth)) if manages_access else None,
        record_keeping=privacy_services.record_keeping(current_user, youth),
        merges=duplicates.merges_into(youth),
        can_merge=policy.can_merge_records(current_user, youth),
    )


@bp.route("/ungdomar/<youth:public_id>/skyddad", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_manage_protected_access)
def grant_access(youth: Youth):
    """Let a field worker of the team see this youth with protected identity (team lead)."""
    form = _grant_form(youth)
    outcome = submit(form, lambda: protection.grant(current_user, youth, form.user.data))
    if outcome.saved:
        flash(
            _("%(name)s can see the record now.", name=outcome.result.user.display_name), "success"
        )
        return redirect(url_for("casefile.youth", public_id=youth.public_id), 303)
    return _youth_page(youth, form_status(form, outcome), grant_form=form)


@bp.route("/ungdomar/<youth:public_id>/skyddad/<int:user_id>/aterkalla", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_manage_protected_access)
def revoke_access(youth: Youth, user_id: int):
    """Take a worker's access to this youth with protected identity away (team lead)."""
    outcome = submit(FlaskForm(), lambda: protection.revoke(current_user, youth, user_id))
    if outcome.saved:
        flash(_("The access is revoked."), "success")
        return redirect(url_for("casefile.youth", public_id=youth.public_id), 303)
    # nothing to revoke: someone revoked it a moment ago (or the form is stale)
    flash(outcome.refusal.message if outcome.refusal else _("Reload the page."), "info")
    return _youth_page(youth, 409)


@bp.route("/ungdomar/<youth:public_id>/sla-ihop", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_merge_records)
def merge_records(youth: Youth):
    """Merge a duplicate record of the same youth into this one (team lead): likely
    duplicates are suggested, the two records are compared, and the merge is confirmed."""
    form = MergeForm()
    query = searched_for()
    merging = request.method == "POST" and request.form.get("action") != "search"
    wanted = form.duplicate.data if merging else request.args.get("med", "")
    found = youth_services.youths_by_public_id(current_user, [wanted]) if wanted else []
    duplicate = next((y for y in found if y.team_id == youth.team_id and y != youth), None)
    status = 200
    if merging and duplicate is None:
        form.duplicate.errors = [_("Choose the record to merge into this one.")]
        status = 422
    elif merging:
        outcome = submit(form, lambda: merge.merge(current_user, youth, duplicate))
        if outcome.saved:
            flash(_("The records are merged. Everything is kept on this record."), "success")
            return redirect(url_for("casefile.youth", public_id=youth.public_id), 303)
        status = form_status(form, outcome)
    if duplicate is not None:
        form.duplicate.data = duplicate.public_id
    suggestions = duplicates.duplicates_of(current_user, youth)
    searched = [
        y
        for y in youth_services.search(current_user, query)
        if y.team_id == youth.team_id and y != youth
    ]
    # (the search writes the youths it found to the access log itself)
    youth_services.record_listed(current_user, [s.youth for s in suggestions], "merge")
    youth_services.record_read(current_user, youth, "merge")
    if duplicate is not None:
        youth_services.record_read(current_user, duplicate, "merge comparison")
    return render(
        "casefile/merge.html",
        status=status,
        youth=youth,
        duplicate=duplicate,
        form=form,
        query=query,
        suggestions=suggestions,
        searched=searched,
    )
