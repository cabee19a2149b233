"""Shifts and anonymous contacts: the list, starting and ending a shift, its page and note,
logging a contact, and the service worker that keeps the contact form working offline."""

import secrets
from pathlib import Path

from blinker import signal
from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from outreach import assets, editing, policy, scopes
from outreach.clock import now, to_local
from outreach.errors import Conflict
from outreach.fields import options, picked
from outreach.htmx import is_partial, render
from outreach.org import services as org_services
from outreach.shifts import bp, services
from outreach.shifts.forms import (
    AnonymousContactForm,
    EndShiftForm,
    SituationNoteForm,
    StartShiftForm,
)
from outreach.shifts.models import Shift
from outreach.views_common import Submission, form_status, submit
from outreach.vocabulary import AgeBand, Gender

RECENT_SHIFTS = 20

#: The parts of a shift's page that areas above shifts add to it, each a signal: a receiver
#: is sent the shift with the user and the page's forms (those of its own area among them,
#: after a refused step) and returns its part as HTML, or None. Shown on the whole page only.
named_contacts_part = signal("shift page: contacts with named youths")
review_part = signal("shift page: review")


@bp.route("/sw.js")
@policy.public
def service_worker():
    """The service worker that keeps the contact form usable without a connection (served
    from the root, so that it may answer for the pages of the whole site), naming the static
    files as the pages do: a deploy that changes one changes the worker, which then updates."""
    script = Path(current_app.static_folder, "js", "sw.js").read_text(encoding="utf-8")
    return current_app.response_class(
        assets.with_fingerprints(current_app, script), mimetype="text/javascript"
    )


@bp.route("/offline")
@policy.public
def offline():
    """What the service worker shows for a page it cannot fetch without a connection."""
    return render("shifts/offline.html")


@bp.route("/faltpass")
@policy.allow(policy.field_staff)
def shift_list():
    """The team's latest shifts."""
    return render("shifts/list.html", shifts=services.latest_shifts(current_user, RECENT_SHIFTS))


def _start_form() -> tuple[StartShiftForm, list, list]:
    """The form to start a shift, with the areas and colleagues it offers."""
    form = StartShiftForm()
    teams = current_user.field_teams
    form.team.choices = options((team.id, team.name) for team in teams)
    areas = org_services.areas(current_user.kommun_id)
    form.area.choices = options(
        [("", _l("Choose area")), *((area.id, area.name) for area in areas)]
    )
    colleagues = services.possible_colleagues(current_user)
    form.colleagues.choices = options((user.id, user.display_name) for user in colleagues)
    if not form.is_submitted():
        form.started_at.data = to_local(now()).replace(second=0, microsecond=0, tzinfo=None)
        if len(teams) == 1:
            form.team.data = teams[0].id
    return form, areas, colleagues


@bp.route("/faltpass/nytt", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def new_shift():
    """Start a fältpass."""
    if request.method == "GET" and services.open_shift_of(current_user) is not None:
        flash(_("You already have a shift in progress. End it first."), "info")
        return redirect(url_for("home.start"))
    form, areas, colleagues = _start_form()
    outcome = submit(
        form,
        lambda: services.start_shift(
            current_user,
            team=picked(current_user.field_teams, form.team.data),
            area=picked(areas, form.area.data),
            colleagues=picked(colleagues, form.colleagues.data or []),
            started_at=form.started_at.utc,
            situation_note=form.situation_note.data or "",
        ),
    )
    if outcome.saved:
        flash(_("The shift has started. Take care out there."), "success")
        return redirect(url_for("home.start"), 303)
    return render("shifts/new.html", "form", form=form, status=form_status(form))


#: The shift's own forms on its page; any other form it is given is another area's.
OWN_FORMS = ("note_form", "end_form")


def render_shift(
    shift: Shift,
    status: int = 200,
    block: str | None = None,
    note_conflict=(),
    note_saved: bool = False,
    **forms,
):
    """The shift's page (or one block of it), with any of its forms as submitted: its own
    (the note, ending it) or another area's (a review step, shown in that area's part). A
    note just saved says so; one that crossed another edit shows both versions."""
    if "note_form" not in forms:
        forms["note_form"] = _note_form(shift)
        editing.seal(forms["note_form"], shift)
    forms.setdefault("end_form", EndShiftForm())
    parts = {}
    if block is None:  # the parts (the named youths among them) are shown on the whole page
        for name, part in (("named_contacts", named_contacts_part), ("review", review_part)):
            sent = part.send(shift, user=current_user, forms=forms)
            parts[name] = Markup("").join(html for _receiver, html in sent if html)
    return render(
        "shifts/detail.html",
        block,
        status=status,
        shift=shift,
        contacts=services.contacts_in(shift),
        youths_met=services.youths_met_in(shift),
        can_log=policy.can_log_in_shift(current_user, shift),
        can_end=policy.can_end_shift(current_user, shift),
        can_edit_note=policy.can_edit_situation_note(current_user, shift),
        other_forms=[form for name, form in forms.items() if name not in OWN_FORMS],
        parts=parts,
        note_conflict=note_conflict,
        note_saved=note_saved,
        **forms,
    )


@bp.route("/faltpass/<shift:public_id>")
@policy.allow(policy.field_staff)
@policy.loads(scopes.SHIFT)
def shift_detail(shift: Shift):
    """One shift: its workers, note, and the contacts logged in it."""
    return render_shift(shift)


@bp.route("/faltpass/<shift:public_id>/lagesbild", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.SHIFT, may=policy.can_edit_situation_note)
def save_note(shift: Shift):
    """Save the shift's situation note."""
    form = SituationNoteForm()
    outcome = submit(
        form,
        lambda: services.update_situation_note(shift, form.situation_note.data or ""),
        edits=shift,
        saved=lambda: _note_form(shift),
    )
    if outcome.saved:
        if is_partial():
            return render_shift(shift, block="note_form", note_form=form, note_saved=True)
        flash(_("The situation note is saved."), "success")
        return redirect(url_for("shifts.shift_detail", public_id=shift.public_id), 303)
    return render_shift(
        shift,
        status=form_status(form, outcome),
        block="note_form",
        note_form=form,
        note_conflict=outcome.conflict,
    )


def _note_form(shift: Shift) -> SituationNoteForm:
    """The note's form filled from the shift as saved."""
    return editing.edit_form(SituationNoteForm, shift, saved=True)


@bp.route("/faltpass/<shift:public_id>/avsluta", methods=["POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.SHIFT, may=policy.can_end_shift)
def end_shift(shift: Shift):
    """End the shift."""
    form = EndShiftForm()
    if submit(form, lambda: services.end_shift(shift)).saved:
        flash(_("The shift has ended."), "success")
        return redirect(url_for("home.start"), 303)
    return render_shift(shift, status=422, end_form=form)


def _contact_form(
    shift: Shift, blank: bool = False, places: list | None = None
) -> tuple[AnonymousContactForm, list]:
    form = AnonymousContactForm(formdata=None) if blank else AnonymousContactForm()
    if blank or not form.is_submitted():
        form.token.data = secrets.token_urlsafe(24)
    places = services.places_for(shift) if places is None else places
    form.place.choices = options((place.id, place.name) for place in places)
    return form, places


@bp.route("/faltpass/<shift:public_id>/anonym-kontakt", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
@policy.loads(scopes.SHIFT, may=policy.can_log_in_shift)
def new_contact(shift: Shift):
    """Log an anonymous contact in an open shift."""
    form, places = _contact_form(shift)

    def log():
        return services.log_anonymous_contact(
            current_user,
            shift,
            place_id=form.place.data,
            youth_count=form.youth_count.data,
            gender_counts={g: form[f"gender_{g}"].data or 0 for g in Gender},
            age_counts={a: form[f"age_{a}"].data or 0 for a in AgeBand},
            topics=form.topics.data or [],
            actions=form.actions.data or [],
            note=form.note.data or "",
            occurred_at=form.occurred_at.utc,
            token=form.token.data or "",
        )

    status = form_status(form)
    outcome = submit(form, log)
    if isinstance(outcome.refusal, Conflict) and form.token.data:
        # the same submission arrived twice at once: the other one logged it
        earlier = services.contact_by_token(form.token.data)
        if earlier is not None and earlier.created_by_id == current_user.id:
            outcome = Submission(saved=True, result=earlier)
    saved = outcome.result
    if outcome.saved:
        if not is_partial():
            flash(_("The contact is saved."), "success")
            return redirect(url_for("home.start"), 303)
        # the next contact's form: the place just used is now the most recent of its group
        form, places = _contact_form(
            shift, blank=True, places=services.used(places, saved.place_id, shift)
        )
        status = 200
    return render(
        "shifts/contact.html",
        "contact_form",
        status=status,
        shift=shift,
        form=form,
        places=places,
        saved=saved,
        # the saved contact's place named from the places at hand (it is one of them: the form
        # took it from them), not read again
        saved_place=next((p.name for p in places if saved and p.id == saved.place_id), None),
        youths_met=services.youths_met_in(shift),
    )
