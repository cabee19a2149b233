"""The youth registry: search, register, the youth page and contacts with named youths."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from outreach import audit, editing, policy
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.consent import services as consent_services
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.fields import options
from outreach.handoffs import services as handoff_services
from outreach.htmx import render
from outreach.org.models import Area, Place
from outreach.paging import Cursor
from outreach.privacy import services as privacy_services
from outreach.reports import services as report_services
from outreach.risk import services as risk_services
from outreach.shifts.services import open_shift_of
from outreach.views_common import already_made, forbidden, form_status, refused, submit
from outreach.vocabulary import Gender, LegalBasis, Recipient
from outreach.youths import bp, merge, protection, services
from outreach.youths.forms import (
    CorrectionForm,
    GrantAccessForm,
    IdentifiedContactForm,
    MergeForm,
    NewYouthForm,
    YouthEditForm,
    YouthForm,
)
from outreach.youths.models import Youth

MAX_QUERY = 100


def _query() -> str:
    """The search words. They are posted, never put in a URL, so that no name is left in the
    tablet's history or in the server's access log."""
    return (request.form.get("q") or "").strip()[:MAX_QUERY]


def _searched(youths: list[Youth]) -> None:
    """Commit the access-log rows of a search (reads commit too: the log must hold), after
    rendering, so the youths shown are not expired and read again."""


@bp.route("/ungdomar", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def search():
    """Find a youth by alias, name or birth year (live search with htmx, a plain form without)."""
    query = _query()
    youths = services.search(current_user, query)
    levels = risk_services.current(youth.id for youth in youths)
    response = render("youths/search.html", "results", query=query, youths=youths, levels=levels)
    _searched(youths)
    return response


def _youth_form(youth: Youth | None = None, saved: bool = False) -> YouthForm:
    """The form to register a youth, or to edit `youth`; `saved`: filled from the youth as
    saved, whatever was submitted."""
    form = NewYouthForm() if youth is None else editing.edit_form(YouthEditForm, youth, saved)
    form.team.choices = options((team.id, team.name) for team in current_user.field_teams)
    areas = db.session.execute(select(Area).order_by(Area.name)).scalars()
    form.home_area.choices = options([("", _l("Not known")), *((a.id, a.name) for a in areas)])
    if youth is not None:
        form.team.data = youth.team_id
    if youth is not None and (saved or not form.is_submitted()):
        form.home_area.data = youth.home_area_id
        form.gender.data = youth.gender.value if youth.gender else ""
        form.legal_basis.data = youth.legal_basis.value
        form.personnummer.data = youth.personnummer or ""
        for guardian in youth.guardians:
            form[f"guardian{guardian.position}_name"].data = guardian.name
            form[f"guardian{guardian.position}_phone"].data = guardian.phone
    if youth is None and not form.is_submitted() and len(form.team.choices) == 1:
        form.team.data = current_user.field_teams[0].id
    return form


def _details(form: YouthForm) -> services.YouthDetails:
    return services.YouthDetails(
        alias=form.alias.data or "",
        legal_basis=LegalBasis(form.legal_basis.data) if form.legal_basis.data else None,
        name=form.name.data or "",
        birth_year=form.birth_year.data,
        gender=Gender(form.gender.data) if form.gender.data else None,
        personnummer=form.personnummer.data or "",
        home_area=db.session.get(Area, form.home_area.data) if form.home_area.data else None,
        school=form.school.data or "",
        interpreter_language=form.interpreter_language.data or "",
        protected_identity=form.protected_identity.data,
        guardians=[
            (form.guardian1_name.data or "", form.guardian1_phone.data or ""),
            (form.guardian2_name.data or "", form.guardian2_phone.data or ""),
        ],
    )


@bp.route("/ungdomar/ny", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def new_youth():
    """Register a youth: alias and legal basis first, the rest as it becomes known."""
    form = _youth_form()
    teams = {team.id: team for team in current_user.field_teams}
    only = next(iter(teams.values())) if len(teams) == 1 else None
    team = teams.get(form.team.data) if form.team.data else only
    duplicates = _possible_duplicates(form, team)
    # A resent form shows the youth it registered, not that youth as a possible duplicate;
    # asked after the search, so a first submission that landed meanwhile is seen.
    if duplicates and not any(s.same_personnummer for s in duplicates) and not already_made(form):
        # shown before registering; the same personnummer is refused by the registry itself
        return _form_with_duplicates(form, duplicates, 200)
    outcome = submit(form, lambda: services.register(current_user, team, _details(form)))
    if outcome.saved:
        flash(_("The youth is registered."), "success")
        return redirect(url_for("youths.youth_detail", public_id=outcome.result.public_id), 303)
    return _form_with_duplicates(form, duplicates, form_status(form))


def _possible_duplicates(form: YouthForm, team) -> list[merge.Suggestion]:
    """Youths of the team that may be the one being registered, unless the user has already
    seen them and chosen to register anyway."""
    if team is None or form.not_a_duplicate.data or not form.is_submitted() or not form.validate():
        return []
    return merge.likely_duplicates(
        current_user,
        team.id,
        alias=form.alias.data or "",
        name=form.name.data or "",
        birth_year=form.birth_year.data,
        pnr=form.personnummer.data or None,
    )


def _form_with_duplicates(form: YouthForm, duplicates: list[merge.Suggestion], status: int):
    """The registration form again, with the likely duplicates it found (each written to the
    access log: the list shows who they are)."""
    if duplicates:
        audit.record_youths(
            AuditAction.LIST,
            [s.youth.id for s in duplicates],
            user_id=current_user.id,
            detail="possible duplicates",
        )
    return render(
        "youths/form.html", "form", form=form, youth=None, duplicates=duplicates, status=status
    )


@bp.route("/ungdomar/<youth:public_id>")
@policy.allow(policy.field_staff)
def youth_detail(public_id: str):
    """The youth's page: what is known, and the timeline of contacts (a page at a time)."""
    youth = policy.youth_or_404(current_user, public_id)
    return _detail_page(youth)


def _grant_form(youth: Youth) -> GrantAccessForm:
    form = GrantAccessForm()
    form.user.choices = options(
        [("", _l("Choose")), *((u.id, u.display_name) for u in protection.candidates(youth))]
    )
    return form


#: Markings listed on the youth's page unless all are asked for.
MARKINGS_SHOWN = 10


def _detail_page(youth: Youth, status: int = 200, grant_form: GrantAccessForm | None = None):
    """The youth's page; showing it is a read, written to the access log. `after` (a page of
    the timeline further back) and `markeringar=alla` (every marking) come from the address."""
    after = request.args.get("after", "")
    try:
        cursor = Cursor.decode(after) if after else None
    except RuleViolation as refusal:
        return refused(refusal.message)
    services.record_read(current_user, youth)
    timeline, next_cursor = services.timeline(current_user, youth, cursor)
    every_marking = request.args.get("markeringar") == "alla"
    markings = risk_services.history(youth, None if every_marking else MARKINGS_SHOWN + 1)
    shift = open_shift_of(current_user)
    manages_access = policy.can_manage_protected_access(current_user, youth)
    response = render(
        "youths/detail.html",
        status=status,
        youth=youth,
        timeline=timeline,
        timeline_next=next_cursor.encode() if next_cursor else None,
        timeline_later=cursor is not None,
        history=services.history(youth),
        markings=markings[:MARKINGS_SHOWN] if not every_marking else markings,
        more_markings=len(markings) > MARKINGS_SHOWN and not every_marking,
        current_marking=risk_services.current([youth.id]).get(youth.id),
        can_mark=policy.can_mark_risk(current_user, youth),
        consents=consent_services.consents_of(youth),
        vpc_consent=consent_services.coverage(youth, Recipient.VPC),
        handoffs=handoff_services.handoffs_of(youth),
        reports=report_services.reports_of(youth),
        open_handoff=handoff_services.open_handoff_of(youth),
        open_shift=shift if shift and shift.team_id == youth.team_id else None,
        can_edit=policy.can_edit_youth(current_user, youth),
        access=protection.grants(youth) if manages_access else None,
        grant_form=(grant_form or _grant_form(youth)) if manages_access else None,
        record_keeping=privacy_services.record_keeping(current_user, youth),
        merges=merge.merges_into(youth),
        can_merge=policy.leads_team_of(current_user, youth),
    )
    return response


@bp.route("/ungdomar/<youth:public_id>/skyddad", methods=["POST"])
@policy.allow(policy.field_staff)
def grant_access(public_id: str):
    """Let a field worker of the team see this youth with protected identity (team lead)."""
    youth = policy.youth_or_404(current_user, public_id)
    if not policy.can_manage_protected_access(current_user, youth):
        return forbidden(protection.ONLY_THE_LEAD)
    form = _grant_form(youth)
    outcome = submit(
        form,
        lambda: protection.grant(
            current_user, youth, db.session.get(User, form.user.data) if form.user.data else None
        ),
    )
    if outcome.saved:
        flash(
            _("%(name)s can see the record now.", name=outcome.result.user.display_name), "success"
        )
        return redirect(url_for("youths.youth_detail", public_id=youth.public_id), 303)
    return _detail_page(youth, form_status(form, outcome), grant_form=form)


@bp.route("/ungdomar/<youth:public_id>/skyddad/<int:user_id>/aterkalla", methods=["POST"])
@policy.allow(policy.field_staff)
def revoke_access(public_id: str, user_id: int):
    """Take a worker's access to this youth with protected identity away (team lead)."""
    youth = policy.youth_or_404(current_user, public_id)
    if not policy.can_manage_protected_access(current_user, youth):
        return forbidden(protection.ONLY_THE_LEAD)
    outcome = submit(
        FlaskForm(), lambda: protection.revoke(current_user, youth, db.session.get(User, user_id))
    )
    if outcome.saved:
        flash(_("The access is revoked."), "success")
        return redirect(url_for("youths.youth_detail", public_id=youth.public_id), 303)
    # nothing to revoke: someone revoked it a moment ago (or the form is stale)
    flash(outcome.refusal.message if outcome.refusal else _("Reload the page."), "info")
    return _detail_page(youth, 409)


@bp.route("/ungdomar/<youth:public_id>/andra", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def edit_youth(public_id: str):
    """Add or change what is known about a youth."""
    youth = policy.youth_or_404(current_user, public_id)
    if not policy.can_edit_youth(current_user, youth):
        return forbidden(_("You cannot change this youth's details."))
    if request.method == "GET":
        services.record_read(current_user, youth, "edit form")
    form = _youth_form(youth)
    outcome = submit(
        form,
        lambda: services.update(current_user, youth, _details(form)),
        edits=youth,
        saved=lambda: _youth_form(youth, saved=True),
    )
    if outcome.saved:
        if outcome.result:
            flash(_("The details are saved."), "success")
        return redirect(url_for("youths.youth_detail", public_id=youth.public_id), 303)
    if outcome.conflict:  # the page shows what someone else saved: a read like any other
        services.record_read(current_user, youth, "edit conflict")
    return render(
        "youths/form.html",
        "form",
        form=form,
        youth=youth,
        conflict=outcome.conflict,
        status=form_status(form, outcome),
    )


@bp.route("/ungdomar/<youth:public_id>/sla-ihop", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def merge_youth(public_id: str):
    """Merge a duplicate record of the same youth into this one (team lead): likely
    duplicates are suggested, the two records are compared, and the merge is confirmed."""
    youth = policy.youth_or_404(current_user, public_id)
    if not policy.leads_team_of(current_user, youth):
        return forbidden(merge.ONLY_THE_LEAD)
    form = MergeForm()
    query = _query()
    merging = request.method == "POST" and request.form.get("action") != "search"
    wanted = form.duplicate.data if merging else request.args.get("med", "")
    found = services.youths_by_public_id(current_user, [wanted]) if wanted else []
    duplicate = next((y for y in found if y.team_id == youth.team_id and y != youth), None)
    status = 200
    if merging and duplicate is None:
        form.duplicate.errors = [_("Choose the record to merge into this one.")]
        status = 422
    elif merging:
        outcome = submit(form, lambda: merge.merge(current_user, youth, duplicate))
        if outcome.saved:
            flash(_("The records are merged. Everything is kept on this record."), "success")
            return redirect(url_for("youths.youth_detail", public_id=youth.public_id), 303)
        status = form_status(form, outcome)
    if duplicate is not None:
        form.duplicate.data = duplicate.public_id
    suggestions = merge.duplicates_of(current_user, youth)
    searched = [
        y for y in services.search(current_user, query) if y.team_id == youth.team_id and y != youth
    ]
    # (the search writes the youths it found to the access log itself)
    audit.record_youths(
        AuditAction.LIST, [s.youth.id for s in suggestions], user_id=current_user.id, detail="merge"
    )
    services.record_read(current_user, youth, "merge")
    if duplicate is not None:
        services.record_read(current_user, duplicate, "merge comparison")
    response = render(
        "youths/merge.html",
        status=status,
        youth=youth,
        duplicate=duplicate,
        form=form,
        query=query,
        suggestions=suggestions,
        searched=searched,
    )
    return response


def _contact_form(shift, chosen: list[Youth], found: list[Youth]) -> IdentifiedContactForm:
    form = IdentifiedContactForm()
    candidates = {youth.public_id: youth for youth in [*chosen, *found]}
    form.youths.choices = options((pid, youth.alias) for pid, youth in candidates.items())
    places = db.session.execute(select(Place).join(Area).order_by(Area.name, Place.name)).scalars()
    places = sorted(places, key=lambda p: (p.area_id != shift.area_id, p.area.name, p.name))
    form.place.choices = options([("", _l("Not given")), *((p.id, p.name) for p in places)])
    if not form.is_submitted():
        form.youths.data = [youth.public_id for youth in chosen]
    return form


@bp.route("/faltpass/<shift:public_id>/namngiven-kontakt", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def new_contact(public_id: str):
    """Record a contact with named youths during a shift."""
    shift = policy.shift_or_404(current_user, public_id)
    if not policy.can_log_in_shift(current_user, shift):
        return forbidden(_("Contacts are logged by the shift's workers while the shift is open."))
    query = _query()
    searching = request.form.get("action") == "search"
    asked = request.form.getlist("youths") if request.method == "POST" else []
    chosen = services.youths_by_public_id(current_user, asked or request.args.getlist("ungdom"))
    found = [y for y in services.search(current_user, query) if y not in chosen]
    _searched(found)
    form = _contact_form(shift, chosen, found)
    if searching:
        # "Search" inside the form: show the youths found beside those already ticked, and
        # keep everything typed so far (this is also how it works without JavaScript).
        return render(
            "youths/contact.html",
            "candidates",
            shift=shift,
            form=form,
            query=query,
            chosen=chosen,
            found=found,
        )

    def record():
        picked = set(form.youths.data or [])
        return services.record_contact(
            current_user,
            shift,
            youths=[y for y in chosen if y.public_id in picked],
            facts=form.facts.data or "",
            assessment=form.assessment.data or "",
            occurred_at=form.occurred_at.utc,
            place=db.session.get(Place, form.place.data) if form.place.data else None,
        )

    outcome = submit(form, record)
    if outcome.saved:
        flash(_("The contact is recorded."), "success")
        first = outcome.result.youths[0]
        return redirect(url_for("youths.youth_detail", public_id=first.public_id), 303)
    return render(
        "youths/contact.html",
        "form",
        status=form_status(form),
        shift=shift,
        form=form,
        query=query,
        chosen=chosen,
        found=found,
    )


@bp.route("/kontakter/<contact:public_id>/rattelse", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def correct_contact(public_id: str):
    """Append a correction to a contact entry (the entry itself is never changed)."""
    original = policy.identified_contact_or_404(current_user, public_id)
    readable = services.youths_by_public_id(current_user, [y.public_id for y in original.youths])
    if len(readable) != len(original.youths):
        abort(404)  # the entry speaks of a youth with protected identity the user may not see
    if not policy.can_correct(current_user, original):
        return forbidden(_("Only the author or a team lead can correct an entry."))
    back = request.values.get("ungdom")
    youth = next((y for y in readable if y.public_id == back), readable[0])
    if request.method == "GET":
        for each in readable:
            services.record_read(current_user, each, "correction form")
    form = CorrectionForm(obj=original)
    outcome = submit(
        form,
        lambda: services.correct(
            current_user,
            original,
            facts=form.facts.data or "",
            assessment=form.assessment.data or "",
        ),
    )
    if outcome.saved:
        flash(_("The correction is saved. The original entry is kept."), "success")
        return redirect(url_for("youths.youth_detail", public_id=youth.public_id), 303)
    return render(
        "youths/correct.html",
        "form",
        status=form_status(form),
        form=form,
        original=original,
        youth=youth,
    )
