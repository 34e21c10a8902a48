"""Each role's home page, and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from mobility.auth.policies import public, requires_roles
from mobility.core.db import db
from mobility.core.roles import ALL_ROLES

bp = Blueprint("dashboard", __name__)

#: What each role's dashboard shows, filled by feature packages at import time:
#: role -> list of callables returning (template, context) panels.
DASHBOARD_PANELS: dict[str, list] = {role: [] for role in ALL_ROLES}


def dashboard_panel(*roles: str):
    """Register a function `(user) -> dict | None` adding a panel to these roles' dashboards.

    It returns `{"template": ..., **context}`, or None when it has nothing to show.
    """

    def decorate(function):
        for role in roles:
            DASHBOARD_PANELS[role].append(function)
        return function

    return decorate


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@requires_roles(ALL_ROLES)
def home():
    panels = [p for p in (panel(current_user) for panel in DASHBOARD_PANELS[current_user.role])
              if p]
    return render_template(f"dashboard/{current_user.role}.html", panels=panels)


@bp.route("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any failure means the database is not usable
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return {"status": "ok" if status == 200 else "degraded", "database": database,
            "database_backend": db.engine.dialect.name}, status


import mobility.dashboard.panels as _role_panels  # noqa: E402, F401  (registers the role panels)
