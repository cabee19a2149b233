"""The field worker's start page, shifts and anonymous contacts."""

import secrets
from pathlib import Path

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from outreach import assets, editing, policy
from outreach.auth.models import User
from outreach.clock import now, to_local
from outreach.errors import Conflict
from outreach.extensions import db
from outreach.fields import options
from outreach.htmx import is_partial, render
from outreach.org.models import Area, Place
from outreach.privacy import services as privacy_services
from outreach.reports import services as report_services
from outreach.review import services as review_services
from outreach.review.forms import ResubmitForm, ReturnForm, SignOffForm
from outreach.risk import services as risk_services
from outreach.shifts import bp, services
from outreach.shifts.forms import (
    AnonymousContactForm,
    EndShiftForm,
    SituationNoteForm,
    StartShiftForm,
)
from outreach.shifts.models import Shift
from outreach.views_common import Submission, forbidden, form_status, submit
from outreach.vocabulary import Action, AgeBand, Gender, Topic
from outreach.youths import services as youth_services

RECENT_SHIFTS = 20


@bp.route("/")
@policy.allow(policy.anyone_logged_in)
def start():
    """The start page: for field staff, the open shift and the way to log a contact."""
    if policy.admin(current_user):
        return redirect(url_for("admin.overview"))
    if policy.vpc_staff(current_user) and not policy.field_staff(current_user):
        return redirect(url_for("handoffs.inbox"))
    shift = services.open_shift_of(current_user) if policy.field_staff(current_user) else None
    recent = db.session.execute(
        policy.visible_shifts(current_user).order_by(Shift.started_at.desc()).limit(5)
    ).scalars()
    return render(
        "shifts/start.html",
        shift=shift,
        contacts=services.contacts_in(shift, limit=5) if shift else [],
        youths_met=services.youths_met_in(shift) if shift else 0,
        recent_shifts=[s for s in recent if shift is None or s.id != shift.id],
        due_for_review=risk_services.due_for_review(current_user),
        stale_reports=report_services.stale_drafts(current_user),
        returned_shifts=review_services.returned_to(current_user),
        waiting_for_review=review_services.waiting_for_review(current_user),
        urgent_requests=privacy_services.count_urgent(privacy_services.open_requests(current_user)),
    )


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
    shifts = db.session.execute(
        policy.visible_shifts(current_user).order_by(Shift.started_at.desc()).limit(RECENT_SHIFTS)
    ).scalars()
    return render("shifts/list.html", shifts=list(shifts))


def _start_form() -> StartShiftForm:
    form = StartShiftForm()
    teams = current_user.field_teams
    form.team.choices = options((team.id, team.name) for team in teams)
    areas = db.session.execute(select(Area).order_by(Area.name)).scalars()
    form.area.choices = options(
        [("", _l("Choose area")), *((area.id, area.name) for area in areas)]
    )
    colleagues = db.session.execute(
        policy.possible_colleagues(current_user).order_by(User.display_name)
    ).scalars()
    form.colleagues.choices = options((user.id, user.display_name) for user in colleagues)
    if not form.is_submitted():
        form.started_at.data = to_local(now()).replace(second=0, microsecond=0, tzinfo=None)
        if len(teams) == 1:
            form.team.data = teams[0].id
    return form


@bp.route("/faltpass/nytt", methods=["GET", "POST"])
@policy.allow(policy.field_staff)
def new_shift():
    """Start a fältpass."""
    if request.method == "GET" and services.open_shift_of(current_user) is not None:
        flash(_("You already have a shift in progress. End it first."), "info")
        return redirect(url_for("shifts.start"))
    form = _start_form()
    teams = {team.id: team for team in current_user.field_teams}

    def start():
        colleagues = db.session.execute(
            select(User).where(User.id.in_(form.colleagues.data or []))
        ).scalars()
        return services.start_shift(
            current_user,
            team=teams.get(form.team.data),
            area=db.session.get(Area, form.area.data),
            colleagues=list(colleagues),
            started_at=form.started_at.utc,
            situation_note=form.situation_note.data or "",
        )

    if submit(form, start).saved:
        flash(_("The shift has started. Take care out there."), "success")
        return redirect(url_for("shifts.start"), 303)
    return render("shifts/new.html", "form", form=form, status=form_status(form))


def render_shift(shift: Shift, status: int = 200, block: str | None = None, **forms):
    """The shift's page (or one block of it), with any of its forms as submitted."""
    if "note_form" not in forms:
        forms["note_form"] = _note_form(shift)
        editing.seal(forms["note_form"], shift)
    forms.setdefault("end_form", EndShiftForm())
    forms.setdefault("sign_off_form", SignOffForm())
    forms.setdefault("return_form", ReturnForm())
    forms.setdefault("resubmit_form", ResubmitForm())
    # The named youths are listed (and written to the access log) only on the whole page.
    named = youth_services.contacts_in_shift(current_user, shift) if block is None else []
    response = render(
        "shifts/detail.html",
        block,
        status=status,
        shift=shift,
        contacts=services.contacts_in(shift),
        named_contacts=named,
        youths_met=services.youths_met_in(shift),
        review_steps=review_services.history(shift),
        can_log=policy.can_log_in_shift(current_user, shift),
        can_end=policy.can_end_shift(current_user, shift),
        can_edit_note=policy.can_edit_situation_note(current_user, shift),
        can_review=policy.can_review_shift(current_user, shift),
        can_resubmit=policy.can_resubmit_shift(current_user, shift),
        **forms,
    )
    return response


@bp.route("/faltpass/<shift:public_id>")
@policy.allow(policy.field_staff)
def shift_detail(public_id: str):
    """One shift: its workers, note, and the contacts logged in it."""
    return render_shift(policy.shift_or_404(current_user, public_id))


@bp.route("/faltpass/<shift:public_id>/lagesbild", methods=["POST"])
@policy.allow(policy.field_staff)
def save_note(public_id: str):
    """Save the shift's situation note."""
    shift = policy.shift_or_404(current_user, public_id)
    if not policy.can_edit_situation_note(current_user, shift):
        return forbidden(_("Only the shift's workers can change its note while it is open."))
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
def end_shift(public_id: str):
    """End the shift."""
    shift = policy.shift_or_404(current_user, public_id)
    if not policy.can_end_shift(current_user, shift):
        return forbidden(_("The shift has ended, or you are not one of its workers."))
    form = EndShiftForm()
    if submit(form, lambda: services.end_shift(shift)).saved:
        flash(_("The shift has ended."), "success")
        return redirect(url_for("shifts.start"), 303)
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
def new_contact(public_id: str):
    """Log an anonymous contact in an open shift."""
    shift = policy.shift_or_404(current_user, public_id)
    if not policy.can_log_in_shift(current_user, shift):
        return forbidden(_("Contacts are logged by the shift's workers while the shift is open."))
    form, places = _contact_form(shift)

    def log():
        return services.log_anonymous_contact(
            current_user,
            shift,
            place=db.session.get(Place, form.place.data),
            youth_count=form.youth_count.data,
            gender_counts={g: form[f"gender_{g}"].data or 0 for g in Gender},
            age_counts={a: form[f"age_{a}"].data or 0 for a in AgeBand},
            topics=[Topic(t) for t in form.topics.data or []],
            actions=[Action(a) for a in form.actions.data or []],
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
            return redirect(url_for("shifts.start"), 303)
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
        youths_met=services.youths_met_in(shift),
    )
