"""The youth registry and contacts with named youths: registering a youth, adding what becomes
known, recording a contact during a shift, appending a correction, and the named contacts on
a shift's page."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from outreach import editing, policy, scopes
from outreach.fields import options, picked
from outreach.htmx import part, render
from outreach.org import services as org_services
from outreach.shifts.models import Shift
from outreach.shifts.views import named_contacts_part
from outreach.views_common import already_made, edit, form_status, searched_for, submit
from outreach.youths import bp, contacts, duplicates, services
from outreach.youths.forms import (
    CorrectionForm,
    IdentifiedContactForm,
    NewYouthForm,
    YouthEditForm,
    YouthForm,
)
from outreach.youths.models import IdentifiedContact, Youth


def _youth_form(youth: Youth | None = None, saved: bool = False) -> YouthForm:
    """The form to register a youth, or to edit `youth`; `saved`: filled from the youth as
    saved, whatever was submitted."""
    form = NewYouthForm() if youth is None else editing.edit_form(YouthEditForm, youth, saved)
    form.team.choices = options((team.id, team.name) for team in current_user.field_teams)
    areas = org_services.areas(current_user.kommun_id)
    form.home_area.choices = options([("", _l("Not known")), *((a.id, a.name) for a in areas)])
    if youth is not None:
        form.team.data = youth.team_id
    if youth is not None and (saved or not form.is_submitted()):
        form.home_area.data = youth.home_area_id
        form.gender.data = youth.gender
        form.legal_basis.data = youth.legal_basis
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
        legal_basis=form.legal_basis.data,
        name=form.name.data or "",
        birth_year=form.birth_year.data,
        gender=form.gender.data,
        personnummer=form.personnummer.data or "",
        home_area_id=form.home_area.data or None,
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
    teams = current_user.field_teams
    team = (
        picked(teams, form.team.data) if form.team.data else (teams[0] if len(teams) == 1 else None)
    )
    found = _possible_duplicates(form, team)
    # A resent form shows the youth it registered, not that youth as a possible duplicate;
    # asked after the search, so a first submission that landed meanwhile is seen.
    if found and not any(s.same_personnummer for s in found) and not already_made(form):
        # shown before registering; the same personnummer is refused by the registry itself
        return _form_with_duplicates(form, found, 200)
    outcome = submit(form, lambda: services.register(current_user, team, _details(form)))
    if outcome.saved:
        flash(_("The youth is registered."), "success")
        return redirect(url_for("casefile.youth", public_id=outcome.result.public_id), 303)
    return _form_with_duplicates(form, found, form_status(form))


def _possible_duplicates(form: YouthForm, team) -> list[duplicates.Suggestion]:
    """Youths of the team that may be the one being registered, unless the user has already
    seen them and chosen to register anyway."""
    if team is None or form.not_a_duplicate.data or not form.is_submitted() or not form.validate():
        return []
    return duplicates.likely_duplicates(
        current_user,
        team.id,
        alias=form.alias.data or "",
        name=form.name.data or "",
        birth_year=form.birth_year.data,
        pnr=form.personnummer.data or None,
    )


def _form_with_duplicates(form: YouthForm, found: list[duplicates.Suggestion], status: int):
    """The registration form again, with the likely duplicates it found (each written to the
    access log: the list shows who they are)."""
    services.record_listed(current_user, [s.youth for s in found], "possible duplicates")
    return render(
        "youths/form.html", "form", form=form, youth=None, duplicates=found, status=status
    )


@bp.route("/ungdomar/<youth:public_id>/andra", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.YOUTH, may=policy.can_edit_youth)
def edit_youth(youth: Youth):
    """Add or change what is known about a youth."""
    form = _youth_form(youth)
    outcome = edit(
        form,
        youth,
        lambda: services.update(current_user, youth, _details(form)),
        saved=lambda: _youth_form(youth, saved=True),
        read=lambda what: services.record_read(current_user, youth, what),
        shown="edit form",
    )
    if outcome.saved:
        if outcome.result:
            flash(_("The details are saved."), "success")
        return redirect(url_for("casefile.youth", public_id=youth.public_id), 303)
    return render(
        "youths/form.html",
        "form",
        form=form,
        youth=youth,
        conflict=outcome.conflict,
        status=form_status(form, outcome),
    )


def _contact_form(shift, chosen: list[Youth], found: list[Youth]):
    """The form of a contact with named youths, with the places it offers (those of the
    shift's area first)."""
    form = IdentifiedContactForm()
    candidates = {youth.public_id: youth for youth in [*chosen, *found]}
    form.youths.choices = options((pid, youth.alias) for pid, youth in candidates.items())
    places = sorted(
        org_services.places(shift.kommun_id),
        key=lambda p: (p.area_id != shift.area_id, p.area.name, p.name),
    )
    form.place.choices = options([("", _l("Not given")), *((p.id, p.name) for p in places)])
    if not form.is_submitted():
        form.youths.data = [youth.public_id for youth in chosen]
    return form, places


@bp.route("/faltpass/<shift:public_id>/namngiven-kontakt", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.SHIFT, may=policy.can_log_in_shift)
def new_contact(shift: Shift):
    """Record a contact with named youths during a shift."""
    query = searched_for()
    searching = request.form.get("action") == "search"
    asked = request.form.getlist("youths") if request.method == "POST" else []
    chosen = services.youths_by_public_id(current_user, asked or request.args.getlist("ungdom"))
    found = [y for y in services.search(current_user, query) if y not in chosen]
    form, places = _contact_form(shift, chosen, found)
    page = {"shift": shift, "form": form, "query": query, "chosen": chosen, "found": found}
    if searching:
        # "Search" inside the form: show the youths found beside those already ticked, and
        # keep everything typed so far (this is also how it works without JavaScript).
        return render("youths/contact.html", "candidates", **page)

    def record():
        ticked = set(form.youths.data or [])
        return contacts.record_contact(
            current_user,
            shift,
            youths=[y for y in chosen if y.public_id in ticked],
            facts=form.facts.data or "",
            assessment=form.assessment.data or "",
            occurred_at=form.occurred_at.utc,
            place=picked(places, form.place.data) if form.place.data else None,
        )

    outcome = submit(form, record)
    if outcome.saved:
        flash(_("The contact is recorded."), "success")
        first = outcome.result.youths[0]
        return redirect(url_for("casefile.youth", public_id=first.public_id), 303)
    return render("youths/contact.html", "form", status=form_status(form), **page)


@bp.route("/kontakter/<contact:public_id>/rattelse", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.IDENTIFIED_CONTACT, may=policy.can_correct)
def correct_contact(contact: IdentifiedContact):
    """Append a correction to a contact entry (the entry itself is never changed)."""
    back = request.values.get("ungdom")
    youth = next((y for y in contact.youths if y.public_id == back), contact.youths[0])
    if request.method == "GET":
        for each in contact.youths:
            services.record_read(current_user, each, "correction form")
    form = CorrectionForm(obj=contact)
    outcome = submit(
        form,
        lambda: contacts.correct(
            current_user,
            contact,
            facts=form.facts.data or "",
            assessment=form.assessment.data or "",
        ),
    )
    if outcome.saved:
        flash(_("The correction is saved. The original entry is kept."), "success")
        return redirect(url_for("casefile.youth", public_id=youth.public_id), 303)
    return render(
        "youths/correct.html",
        "form",
        status=form_status(form),
        form=form,
        original=contact,
        youth=youth,
    )


@named_contacts_part.connect
def shift_contacts_part(shift: Shift, *, user, forms) -> Markup | None:
    """The shift page's contacts with named youths (each youth shown is written to the access
    log; an entry naming a youth the reader may not see is shown without its text)."""
    entries = contacts.contacts_in_shift(user, shift)
    if not entries:
        return None
    return part("youths/_shift_contacts.html", named_contacts=entries)
