"""Dashboard panels: a feature declares them (`@dashboard_panel`) and adds them in its
`init_app` (`add_panels`); each role's home page (`mobility.dashboard.views.home`) shows them."""

from __future__ import annotations

from types import ModuleType

from flask import Flask

from mobility.core.declarations import declared_in
from mobility.core.roles import ALL_ROLES


def dashboard_panel(*roles: str):
    """Declare a function `(user) -> dict | None` as a panel of these roles' dashboards (a
    feature's `init_app` adds its panels with `add_panels`).

    It returns `{"template": ..., **context}`, or None when it has nothing to show.
    """

    def decorate(function):
        function.dashboard_roles = frozenset(roles)
        return function

    return decorate


def add_panels(app: Flask, *modules: ModuleType) -> None:
    """Add the panels declared in these modules (`@dashboard_panel`), in their order."""
    panels = app.extensions.setdefault("dashboard_panels", {role: [] for role in ALL_ROLES})
    for function in declared_in(modules, "dashboard_roles"):
        for role in function.dashboard_roles:
            panels[role].append(function)
