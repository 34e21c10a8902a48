"""Each role's home page, and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from mobility.auth.policies import public, requires_roles
from mobility.core.db import db
from mobility.core.roles import ALL_ROLES
from mobility.dashboard import panels as _role_panels  # noqa: F401  (registers the role panels)
from mobility.dashboard.registry import (  # noqa: F401  (dashboard_panel: for the features)
    DASHBOARD_PANELS,
    dashboard_panel,
)

bp = Blueprint("dashboard", __name__)

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
