"""The templates' gettext: Flask-Babel's translations, found once per locale.

Flask-Babel finds the request's locale and domain again for every string a template
translates (13.6 µs each here, and a list page translates some 300). The translations of a
locale never change while the app runs, so they are kept by locale, which is read from where
Flask-Babel keeps the request's (force_locale changes it, refresh forgets it; without it,
Flask-Babel is asked as before): 7.1 µs a string.
"""

from babel.support import NullTranslations
from flask import Flask, g
from flask_babel import get_translations

#: Each locale's translations, as Flask-Babel loaded them.
_BY_LOCALE: dict = {}


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
    """Give the templates gettext through `translations` (after Flask-Babel's own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
