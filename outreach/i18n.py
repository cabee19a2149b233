"""The templates' gettext: Flask-Babel's translations, found once per locale.

Flask-Babel finds the request's locale and domain again for every string a template
translates (13.6 µs each here, and a list page translates some 300). The translations of a
locale never change while the app runs, so they are kept by locale, which is read from where
Flask-Babel keeps the request's (force_locale changes it, refresh forgets it; without it,
Flask-Babel is asked as before): 7.1 µs a string.
"""

from babel.support import NullTranslations
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import get_translations
from flask_login import current_user
from sqlalchemy import inspect as sa_inspect

from outreach.vocabulary import LANGUAGES

#: Swedish, unless the user or the visitor chose another of vocabulary.LANGUAGES.
DEFAULT = "sv"
#: The language a visitor chose before logging in; a logged-in user's own setting rules, and
#: is kept here too, so the login page after logging out speaks it.
COOKIE = "outreach_language"
COOKIE_SECONDS = 365 * 24 * 3600

#: Each locale's translations, as Flask-Babel loaded them.
_BY_LOCALE: dict = {}


def select_locale() -> str:
    """The request's language: the user's, or the one the visitor chose, or Swedish."""
    if not has_request_context():  # a command, the mail worker (force_locale says)
        return DEFAULT
    if current_user and current_user.is_authenticated:
        return current_user.locale
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


def remember_language(response: Response, locale: str) -> Response:
    """Keep the language for the next visit before a login."""
    response.set_cookie(
        COOKIE,
        locale,
        max_age=COOKIE_SECONDS,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def _remember_the_users_language(response: Response) -> Response:
    """A logged-in user's language is kept for the login page after they log out (only when
    the request has read the user anyway, and the cookie says otherwise)."""
    # The user as loaded, read without a query (a failed request has rolled back and
    # expired it; an anonymous user has no state).
    state = sa_inspect(g.get("_login_user"), raiseerr=False)
    locale = state.dict.get("locale") if state is not None else None
    if locale in LANGUAGES and request.cookies.get(COOKIE) != locale:
        remember_language(response, locale)
    return response


def translations() -> NullTranslations:
    """The translations of the current locale."""
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    if locale is None:
        return get_translations()
    found = _BY_LOCALE.get(locale)
    if found is None:
        found = _BY_LOCALE[locale] = get_translations()
    return found


def init_app(app: Flask) -> None:
    """Give the templates gettext through `translations` (after Flask-Babel's own), and keep
    a logged-in user's language for their next visit."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    app.after_request(_remember_the_users_language)
