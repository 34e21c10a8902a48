"""`create_app`: the settings, the extensions, then each feature by name (see below).

Every feature is a package of `mobility/` whose `feature.py` has `init_app(app)`, which
registers its blueprint, API endpoints, CLI commands, scheduled jobs, dashboard panels and
menu entries (nothing registers itself when imported), and `load_demo(platform)` or None.
`fleet/` is not a feature: it is the fleet's domain library, which `fleet_web` puts on the web.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from flask import Flask, flash, redirect, request, url_for

from mobility import api
from mobility.account import feature as account
from mobility.admin import feature as admin
from mobility.audit import feature as audit
from mobility.auth import feature as auth
from mobility.auth.services import user_for_session_token
from mobility.checkpoints import feature as checkpoints
from mobility.cli import register_cli
from mobility.commute import feature as commute
from mobility.config import PROJECT_ROOT, instance_path, load_config
from mobility.contracts import feature as contracts
from mobility.core.db import db, end_read_only_transaction
from mobility.core.extensions import babel, csrf, limiter, login_manager, migrate
from mobility.core.translations import install_in_templates
from mobility.core.translations import lazy_gettext as _l
from mobility.dashboard import feature as dashboard
from mobility.documents import feature as documents
from mobility.fleet_web import feature as fleet_web
from mobility.i18n import select_locale, translation_directories
from mobility.notifications import feature as notifications
from mobility.organisations import feature as organisations
from mobility.partners import feature as partners
from mobility.payments import feature as payments
from mobility.people import feature as people
from mobility.platforms import feature as platforms
from mobility.portal import feature as portal
from mobility.pricing import feature as pricing
from mobility.privacy import feature as privacy
from mobility.rentals import feature as rentals
from mobility.reports import feature as reports
from mobility.scheduling import feature as scheduling
from mobility.security import (
    BoundedIntConverter,
    register_input_guards,
    register_security_headers,
)
from mobility.templating import register_template_helpers
from mobility.web.errors import register_error_handlers

#: the features, in the order they are added: the order of the menu and of the dashboards
FEATURES: tuple[ModuleType, ...] = (
    platforms,
    organisations,
    auth,
    audit,
    dashboard,
    admin,
    people,
    portal,
    fleet_web,
    pricing,
    payments,
    contracts,
    rentals,
    checkpoints,
    notifications,
    scheduling,
    reports,
    privacy,
    commute,
    partners,
    account,
    documents,
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings from the environment, overridden by `config`."""
    app = Flask(
        __name__,
        instance_path=str(instance_path()),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config())
    if config:
        app.config.update(config)
    # ids beyond the database's INTEGER never match a route: 404, not an overflow (500)
    app.url_map.converters["int"] = BoundedIntConverter

    db.init_app(app)
    # registered after the session's removal, so it runs before (teardowns run in reverse)
    app.teardown_appcontext(end_read_only_transaction)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "mobility" / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale,
        default_translation_directories=";".join(str(p) for p in translation_directories()),
    )
    install_in_templates(app)
    _init_login(app)

    app.extensions["features"] = FEATURES
    for feature in FEATURES:
        feature.init_app(app)
    api.init_app(app)

    register_cli(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_input_guards(app)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and not request.endpoint.endswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    # Our own session rows already bind a session to its user; Flask-Login's hash of
    # address and agent would sign people out on mobile networks.
    login_manager.session_protection = None

    @login_manager.user_loader
    def _load_user(token: str):
        return user_for_session_token(token)

    @login_manager.unauthorized_handler
    def _unauthorized():
        flash(str(login_manager.login_message), "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
