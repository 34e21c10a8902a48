"""Scheduled jobs.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.core.roles import ADMIN
from mobility.core.translations import lazy_gettext as _l
from mobility.scheduling import (
    cli,
    models,  # noqa: F401  (its tables)
    views,
)
from mobility.scheduling.jobs import (
    checkpoints,
    deposits,
    fleet_jobs,
    housekeeping,
    outbox,
    progressive_plan,
    rentals,
    workshops,
)
from mobility.scheduling.registry import register_jobs
from mobility.templating import add_menu, nav_item

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("scheduling.jobs", _l("Scheduled jobs"), {ADMIN}, group="admin"),
)

load_demo = None


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    cli.register(app)
    register_jobs(app, checkpoints, deposits, fleet_jobs, housekeeping, outbox,
                  progressive_plan, rentals, workshops)
    add_menu(app, *MENU)
