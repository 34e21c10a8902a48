"""gettext for the app's code and templates: Flask-Babel's catalogs, found once per request.

Flask-Babel finds the translations again for every message (the domain, then the locale, then
the catalog, through half a dozen context-local lookups each time); a page translates hundreds
of messages (labels, form fields, lazy strings), so that search was a tenth of a page's CPU.
Here the catalog is read off the request's own Flask-Babel state (the locale it chose, or that
``force_locale`` put in force) and kept per application and locale, so a message costs two
dictionary lookups. Same catalogs, same locale rules: outside a request (command line,
scheduler) it falls back to Flask-Babel itself.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from babel.support import NullTranslations
from flask.globals import _cv_app
from flask_babel.speaklater import LazyString

_CACHE_KEY = "mobility_translations"


def current_translations() -> NullTranslations:
    """The catalog of the locale in force in this request (or Flask-Babel's answer outside)."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return flask_babel.get_translations()
    state = ctx.g.__dict__.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    by_locale: dict = ctx.app.extensions.setdefault(_CACHE_KEY, {})
    if locale is not None:
        found = by_locale.get(locale)
        if found is not None:
            return found
    translations = flask_babel.get_translations()  # chooses the locale on first use
    locale = flask_babel.get_locale()
    if locale is not None:
        by_locale[locale] = translations
    return translations


def gettext(string: str, **variables: Any) -> str:
    """The message in the request's language, %-formatted with ``variables``."""
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """The singular or plural form for ``num`` in the request's language (``%(num)s`` set)."""
    variables.setdefault("num", num)
    return current_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """A message translated when it is shown (form labels, codes' labels)."""
    return LazyString(gettext, string, **variables)


def install_in_templates(app: Any) -> None:
    """Templates' ``_``, ``gettext`` and ``ngettext`` (and ``{% trans %}``) use the same
    lookup (Flask-Babel installs its own, one full search per message)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
