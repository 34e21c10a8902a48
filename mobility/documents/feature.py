"""Documents: PDFs and the état des lieux.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.documents import api, views

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    register_api(app, api)
