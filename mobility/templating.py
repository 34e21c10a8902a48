"""Jinja globals and filters: French formatting, the language switch, the navigation."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_context
from wtforms import Form

from mobility.auth.forms import LanguageForm
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import local_date, local_datetime, local_time, money, number

#: The navigation's groups, in menu order, named after what people do there.
NAV_GROUPS: dict[str, object] = {
    "person": _l("People"),
    "fleet": _l("Fleet and rides"),
    "money": _l("Payments and prices"),
    "reports": _l("Reports"),
    "admin": _l("Administration"),
    "self": _l("My space"),
}

@dataclass(frozen=True)
class MenuEntry:
    """An entry of the top navigation: the page, its label, who sees it, under which group."""

    endpoint: str
    label: object
    roles: frozenset[str]
    group: str = "person"


def nav_item(endpoint: str, label, roles, group: str = "person") -> MenuEntry:
    """A menu entry for these roles, under one of `NAV_GROUPS` (a feature's `init_app` adds
    its entries with `add_menu`)."""
    if group not in NAV_GROUPS:
        raise ValueError(f"unknown navigation group {group!r}: one of {sorted(NAV_GROUPS)}")
    return MenuEntry(endpoint, label, frozenset(roles), group)


def add_menu(app: Flask, *entries: MenuEntry) -> None:
    """Add a feature's entries to the app's navigation, after those already there."""
    app.extensions.setdefault("menu", []).extend(entries)


def navigation_for(role: str | None) -> list[tuple[str, object, list[tuple[str, object]]]]:
    """The menu a role sees: `(group, group label, [(endpoint, label)])` in `NAV_GROUPS`
    order, each group with only the entries this role may open, empty groups left out."""
    menu: list[MenuEntry] = current_app.extensions.get("menu", [])
    groups = []
    for key, group_label in NAV_GROUPS.items():
        entries = [(entry.endpoint, entry.label) for entry in menu
                   if entry.group == key and role in entry.roles]
        if entries:
            groups.append((key, group_label, entries))
    return groups


@pass_context
def refused_forms(context) -> list[Form]:
    """The page's forms that came back with errors: the page opens with their error summary
    (GOV.UK / RGAA pattern: at the top of the main content, focused, a link per field)."""
    return [value for value in context.get_all().values()
            if isinstance(value, Form) and value.errors]


def register_template_helpers(app: Flask) -> None:
    """Filters (money, numbers, dates) and the globals every page uses."""
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
            "navigation": navigation_for(role),
            "current_path": request.full_path.rstrip("?"),
        }
