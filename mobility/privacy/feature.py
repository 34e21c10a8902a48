"""Personal data: access, erasure, retention.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.privacy import (
    api,
    cli,
    jobs,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.scheduling.registry import register_jobs

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    register_api(app, api)
    cli.register(app)
    register_jobs(app, jobs)
