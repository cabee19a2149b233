"""The start page: for field staff the open shift and the way to log a contact, and for each
user what waits for them (returned shifts, reviews, reports, markings, register extracts)."""

import json
from datetime import date
from functools import partial

from flask import current_app, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from outreach import policy
from outreach.home import bp
from outreach.htmx import render
from outreach.privacy import services as privacy_services
from outreach.reports import services as report_services
from outreach.review import services as review_services
from outreach.risk import services as risk_services
from outreach.shifts import services as shift_services

#: The latest shifts of the team listed below the open one.
LATEST_SHIFTS = 5


@bp.route("/")
@policy.allow(policy.anyone_logged_in)
def start():
    """The start page: for field staff, the open shift and the way to log a contact."""
    if policy.admin(current_user):
        return redirect(url_for("admin.overview"))
    if policy.operator(current_user):
        return redirect(url_for("health.operations_page"))
    if policy.national_statistics(current_user):
        return redirect(url_for("stats.national_overview"))
    if policy.unit_staff(current_user) and not policy.field_staff(current_user):
        return redirect(url_for("handoffs.inbox"))
    field = policy.field_staff(current_user)
    shift = shift_services.open_shift_of(current_user) if field else None
    recent = shift_services.latest_shifts(current_user, LATEST_SHIFTS)
    return render(
        "home/start.html",
        shift=shift,
        contacts=shift_services.contacts_in(shift, limit=5) if shift else [],
        youths_met=shift_services.youths_met_in(shift) if shift else 0,
        recent_shifts=[s for s in recent if shift is None or s.id != shift.id],
        due_for_review=risk_services.due_for_review(current_user),
        stale_reports=report_services.stale_drafts(current_user),
        returned_shifts=review_services.returned_to(current_user),
        waiting_for_review=review_services.waiting_for_review(current_user),
        urgent_requests=privacy_services.count_urgent(privacy_services.open_requests(current_user)),
    )


#: The app's colours on the tablet: the title bar and the splash screen (the theme colour is
#: also templates/base.html's theme-color, and static/css/app.css's --brand-dark).
THEME_COLOUR, BACKGROUND_COLOUR = "#083d6d", "#ffffff"


@bp.route("/manifest.webmanifest")
@policy.public
def manifest():
    """The web app manifest: a field worker puts Outreach on the tablet's home screen and
    opens it full screen, at the start page, in the service worker's scope (so the contact
    form and its outbox work offline as in the browser)."""
    icon = partial(url_for, "static")
    return current_app.response_class(
        json.dumps(
            {
                "id": url_for("home.start"),
                "name": "Outreach",
                "short_name": "Outreach",
                "description": _("Street contacts, risk and handoffs of the field work"),
                "lang": str(get_locale()),
                "start_url": url_for("home.start"),
                "scope": url_for("home.start"),
                "display": "standalone",
                "theme_color": THEME_COLOUR,
                "background_color": BACKGROUND_COLOUR,
                "icons": [
                    {
                        "src": icon(filename="icons/icon-192.png"),
                        "sizes": "192x192",
                        "type": "image/png",
                    },
                    {
                        "src": icon(filename="icons/icon-512.png"),
                        "sizes": "512x512",
                        "type": "image/png",
                    },
                    {
                        "src": icon(filename="icons/maskable-512.png"),
                        "sizes": "512x512",
                        "type": "image/png",
                        "purpose": "maskable",
                    },
                ],
            },
            ensure_ascii=False,
        ),
        mimetype="application/manifest+json",
    )


#: When the accessibility statement was last reviewed against the service.
STATEMENT_REVIEWED = date(2026, 12, 5)


@bp.route("/tillganglighet")
@policy.public
def accessibility_statement():
    """The accessibility statement (tillgänglighetsredogörelse) the DOS-lagen asks for."""
    return render(
        "home/accessibility.html",
        contact=current_app.config["ACCESSIBILITY_CONTACT"],
        reviewed=STATEMENT_REVIEWED,
    )
