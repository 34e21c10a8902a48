"""Jinja globals and filters: French formatting, the language switch, the navigation."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from wtforms import Form

from mobility.auth.forms import LanguageForm
from mobility.i18n import local_date, local_datetime, local_time, money, number

#: Navigation entries per role, added by feature packages: (endpoint, label, roles).
NAVIGATION: list[tuple[str, object, frozenset[str]]] = []


def nav_item(endpoint: str, label, roles) -> None:
    """Add an entry to the top navigation for these roles."""
    NAVIGATION.append((endpoint, label, frozenset(roles)))


@pass_context
def refused_forms(context) -> list[Form]:
    """The page's forms that came back with errors: the page opens with their error summary
    (GOV.UK / RGAA pattern: at the top of the main content, focused, a link per field)."""
    return [value for value in context.get_all().values()
            if isinstance(value, Form) and value.errors]


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["refused_forms"] = refused_forms
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.filters["time"] = local_time

    @app.context_processor
    def _globals():
        role = current_user.role if current_user.is_authenticated else None
        return {
            "current_locale": str(get_locale() or "fr"),
            "language_form": LanguageForm(formdata=None, lang=str(get_locale() or "fr")),
            "navigation": [
                (endpoint, label) for endpoint, label, roles in NAVIGATION if role in roles
            ],
            "current_path": request.full_path.rstrip("?"),
        }
