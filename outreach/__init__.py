"""Outreach: street outreach log, youth registry and handoff to Våldspreventivt centrum."""

import importlib
import re
from datetime import datetime

from flask import Flask, abort, request
from flask_babel import format_date, get_locale
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix

from outreach import clock, i18n
from outreach import config as settings
from outreach.assets import StaticCaching
from outreach.extensions import babel, csrf, db, login_manager, migrate

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


#: Browser features the app never uses, turned off for it and anything it could be made to load.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

FORM_MACROS = ("field", "form_errors", "chips", "stepper", "checkbox", "hidden_fields")


class OutreachFlask(StaticCaching, Flask):
    """Flask, keeping fingerprinted static files for a year (assets.py)."""


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` (tests) overrides the environment."""
    app = OutreachFlask(
        __name__,
        template_folder=str(settings.ROOT / "templates"),
        static_folder=str(settings.ROOT / "static"),
        instance_path=str(settings.INSTANCE),
    )
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment() if config is None else config)
    if not app.config.get("SECRET_KEY"):
        raise settings.SettingError(
            "OUTREACH_SECRET_KEY (or OUTREACH_SECRET_KEY_FILE) is not set. Set it to a long "
            "random value (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_template_helpers(app)
    _register_headers(app)
    from outreach import errors_views, transaction
    from outreach.youths import tallies  # noqa: F401 (counts the contacts as they change)

    errors_views.register(app)
    transaction.init_app(app)  # last: its commit runs before the other after-request hooks
    return app


def _init_extensions(app: Flask) -> None:
    from outreach import assets, crypto, observability, rate_limits

    observability.init_app(app)  # first: its clock starts before every other hook
    crypto.init_app(app)
    assets.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are renewed at login and time out
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    rate_limits.init_app(app)
    if app.config["PROXY_COUNT"]:
        # Behind HTTPS proxies: the client's address (for the rate limits) and scheme come
        # from the X-Forwarded-* headers the given number of proxies set.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


#: The areas with pages, from the bottom up (docs/architecture.md): each imports only areas
#: before it. Importing an area's views attaches its routes to its blueprint, and connects
#: what it adds to the pages of the areas below it.
AREAS = (
    "auth",
    "notifications",
    "shifts",
    "youths",
    "risk",
    "consent",
    "reports",
    "handoffs",
    "review",
    "stats",
    "privacy",
    "admin",
    "health",
    "home",
    "casefile",
)


def _register_blueprints(app: Flask) -> None:
    from outreach import ids, policy

    app.url_map.converters.update(ids.CONVERTERS)
    for area in AREAS:
        views = importlib.import_module(f"outreach.{area}.views")
        app.register_blueprint(views.bp)
    app.before_request(refuse_control_characters)
    app.before_request(policy.enforce_endpoint_policy)


def refuse_control_characters():
    """Before each request: refuse NUL and other control characters in any submitted value
    (every value of a name sent several times, not only the first), and files; and take the
    invisible direction and zero-width characters out of every value.

    No form field needs them, PostgreSQL cannot store NUL, and they hide things in logs.
    Line breaks and tabs are allowed (text areas). No form takes a file: a file sent in a
    text field's place would reach its validators as a file object. A direction override
    (U+202E) or a zero-width space in a note shows something else than what is stored: taken
    out, what is shown is what was written.
    """
    if request.files:
        abort(400)
    values = [
        *(value for _name, value in request.args.items(multi=True)),
        *(value for _name, value in request.form.items(multi=True)),
        request.path,
    ]
    if any(_CONTROL.search(value) for value in values):
        abort(400)
    if any(_INVISIBLE.search(value) for value in values):
        request.args = _visible(request.args)
        request.form = _visible(request.form)
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Zero-width characters and marks (U+200B–200F), direction embeddings, overrides and isolates
#: (U+202A–202E, U+2066–2069), the word joiner and the zero-width no-break space (U+2060,
#: U+FEFF: "070\ufeff1234567" would hide a phone number from outreach.identifiers).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _visible(values: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict(
        [(name, _INVISIBLE.sub("", value)) for name, value in values.items(multi=True)]
    )


def _register_cli(app: Flask) -> None:
    from outreach import backup  # noqa: F401 (adds `backup` and `restore` to `flask db`)
    from outreach.admin.cli import kommun_cli
    from outreach.audit_verify import audit_cli
    from outreach.auth.cli import users_cli
    from outreach.crypto_cli import crypto_cli
    from outreach.demo import demo_cli
    from outreach.handoffs.cli import handoffs_cli
    from outreach.health.cli import ops_cli
    from outreach.notifications.cli import notifications_cli
    from outreach.privacy.cli import privacy_cli

    app.cli.add_command(audit_cli)
    app.cli.add_command(kommun_cli)
    app.cli.add_command(crypto_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(handoffs_cli)
    app.cli.add_command(ops_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(privacy_cli)


def _register_template_helpers(app: Flask) -> None:
    from outreach import personnummer, policy, refusals, submissions, vocabulary
    from outreach.home import menu

    # Numbers alone need no locale: written directly (a list of 50 rows writes 150 of them).
    app.jinja_env.filters["datetime"] = lambda value: _local(value, "%Y-%m-%d %H:%M")
    app.jinja_env.filters["time"] = lambda value: _local(value, "%H:%M")
    app.jinja_env.filters["date"] = lambda value: format_date(value, "d MMMM yyyy")
    app.jinja_env.filters["date_short"] = _short_date
    app.jinja_env.filters["masked_pnr"] = personnummer.masked
    app.jinja_env.filters["pnr"] = personnummer.formatted
    app.jinja_env.globals["vocabulary"] = vocabulary
    app.jinja_env.globals["REFUSALS_LISTED"] = refusals.LISTED
    app.jinja_env.globals["policy"] = policy
    app.jinja_env.globals["main_menu"] = menu.for_user
    app.jinja_env.globals["today"] = clock.today
    app.jinja_env.globals["now"] = clock.now
    # a form written out by hand (a button in a list) carries a one-time token too
    app.jinja_env.globals["one_time_token"] = submissions.new_token
    app.jinja_env.globals["unread_notifications"] = _unread_notifications
    app.jinja_env.globals["undelivered_mail"] = _undelivered_mail
    app.jinja_env.filters["hours_minutes"] = clock.hours_and_minutes
    app.jinja_env.filters["initials"] = _initials

    @app.context_processor
    def form_macros():
        # The form macros are globals, so a block rendered alone (an htmx partial) has them.
        macros = app.jinja_env.get_template("_macros/forms.html").module
        return {name: getattr(macros, name) for name in FORM_MACROS}

    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "sv")


def _local(moment: datetime, pattern: str) -> str:
    """A moment in Stockholm time by a strftime pattern of numbers."""
    return clock.to_local(moment).strftime(pattern)


def _short_date(moment: datetime) -> str:
    """A moment's Stockholm day as "5 dec. 2026" (the locale's short month)."""
    local = clock.to_local(moment)
    month = get_locale().months["format"]["abbreviated"][local.month]
    return f"{local.day} {month} {local.year}"


def _initials(name: str) -> str:
    """A name's first and last initials ("Fatima Ali Berg" → "FB", "Sara Öberg (vikarie)" →
    "SÖ"), where the header is narrow: of the words that begin with a letter."""
    words = [word for word in name.split() if word[0].isalpha()] or [name or "?"]
    return "".join(word[0] for word in (words[:1] + words[1:][-1:])).upper()


def _unread_notifications() -> int:
    from outreach.notifications.services import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def _undelivered_mail() -> int:
    """The kommun's dead letters, for its admin's alert on every page."""
    from outreach.notifications.services import dead_letter_count

    return dead_letter_count(current_user.kommun_id)


def _register_headers(app: Flask) -> None:
    from outreach import htmx

    app.after_request(htmx.redirect_whole_page)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Addresses hold record ids: never tell another site where the user came from.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            # Served over HTTPS (everywhere but local development): browsers keep to it.
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if headers.pop(htmx.POLLED, None):
            # A polled fragment (htmx.polled): kept, and asked for again each time.
            headers["Cache-Control"] = "private, no-cache"
        elif request.endpoint != "static":
            # Every page may show personal data: never keep it in the browser's cache,
            # so nothing is readable behind the back button after logout.
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
