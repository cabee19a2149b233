"""The notification list and the badge in the header (refreshed by htmx, no reload)."""

from flask_login import current_user

from outreach import policy
from outreach.htmx import polled, render
from outreach.notifications import bp, services


@bp.route("/notiser")
@policy.allow(policy.anyone_logged_in)
def index():
    """The user's notifications, newest first; opening the list marks them read."""
    notifications = services.latest_for(current_user)
    unread = {n.id for n in notifications if n.read_at is None}
    services.mark_all_read(current_user)
    return render(
        "notifications/index.html",
        notifications=notifications,
        unread=unread,
        texts=services.TEXTS,
    )


@bp.route("/notiser/badge")
@policy.allow(policy.anyone_logged_in)
def badge():
    """The header's badge alone, for htmx to poll (304 while it is unchanged)."""
    unread = services.unread_count(current_user)
    return polled(render("notifications/_badge.html", unread=unread))
