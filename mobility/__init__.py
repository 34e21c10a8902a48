"""The mobility platform's web application."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from flask import Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from mobility.config import PROJECT_ROOT, instance_path, load_config
from mobility.core.db import db
from mobility.core.extensions import babel, csrf, limiter, login_manager, migrate
from mobility.features import FEATURES


def _feature_module(feature: str, part: str):
    name = f"mobility.{feature}.{part}"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


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
    from mobility.security import BoundedIntConverter

    # ids beyond the database's INTEGER never match a route: 404, not an overflow (500)
    app.url_map.converters["int"] = BoundedIntConverter

    from mobility.i18n import select_locale, translation_directories

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "mobility" / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale,
        default_translation_directories=";".join(str(p) for p in translation_directories()),
    )
    _init_login(app)

    from mobility import api as api_package

    for feature in FEATURES:
        _feature_module(feature, "models")
        views = _feature_module(feature, "views")
        if views is not None:
            app.register_blueprint(views.bp)
        _feature_module(feature, "api")
        cli = _feature_module(feature, "cli")
        if cli is not None:
            cli.register(app)
    csrf.exempt(api_package.bp)
    app.register_blueprint(api_package.bp)

    from mobility.cli import register_cli
    from mobility.templating import register_template_helpers
    from mobility.web.errors import register_error_handlers

    register_cli(app)
    register_error_handlers(app)
    register_template_helpers(app)
    from mobility.security import register_input_guards, register_security_headers

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
    from mobility.auth.services import user_for_session_token

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
