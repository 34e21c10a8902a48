"""Weekly checkpoints.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.checkpoints import (
    api,
    demo,
    models,  # noqa: F401  (its tables)
    views,
)

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    register_api(app, api)
