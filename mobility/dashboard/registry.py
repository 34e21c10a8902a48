"""What each role's dashboard shows: panels added by the features (`@dashboard_panel`).

Kept apart from the views so that a feature's panels and the role panels (`panels`) import
this module, and the views read it, with no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable

from mobility.core.roles import ALL_ROLES

#: role -> list of callables `(user) -> dict | None` (a panel's template and context)
DASHBOARD_PANELS: dict[str, list[Callable]] = {role: [] for role in ALL_ROLES}


def dashboard_panel(*roles: str):
    """Register a function `(user) -> dict | None` adding a panel to these roles' dashboards.

    It returns `{"template": ..., **context}`, or None when it has nothing to show.
    """

    def decorate(function):
        for role in roles:
            DASHBOARD_PANELS[role].append(function)
        return function

    return decorate
