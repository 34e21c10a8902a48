"""The platform administrator's pages.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.admin import views
from mobility.core.roles import ADMIN
from mobility.core.translations import lazy_gettext as _l
from mobility.templating import add_menu, nav_item

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("admin.users", _l("Accounts"), {ADMIN}, group="admin"),
    nav_item("admin.audit", _l("Audit log"), {ADMIN}, group="admin"),
    nav_item("admin.lender", _l("Lender identity"), {ADMIN}, group="admin"),
)

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    add_menu(app, *MENU)
