"""The beneficiary's portal.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.notifications import needs as notifications_needs
from mobility.portal import (
    links,
    models,  # noqa: F401  (its tables)
    sheet,  # noqa: F401  (the advisor's printable summary sheet, on views.bp)
    views,
)
from mobility.web.panels import add_panels

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries, and give
    the notifications their sign-in links."""
    notifications_needs.sign_in_link.provide(links.link_for_message)
    app.register_blueprint(views.bp)
    add_panels(app, views)
