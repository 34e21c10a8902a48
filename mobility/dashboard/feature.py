"""Each role's home page and its panels.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.dashboard import panels, views
from mobility.web.panels import add_panels

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    add_panels(app, panels)
