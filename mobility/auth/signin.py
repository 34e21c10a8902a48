"""The web side of signing in, shared by every sign-in route (password, ProConnect, the
portal's codes and links): a fresh session, the throttle, and where to go next."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, session, url_for
from flask_login import login_user

from mobility.auth import services


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(
        target
    ).netloc:
        return target
    return url_for("dashboard.home")


def login_rate_limit() -> str:
    """The per-address throttle of every sign-in form (Flask-Limiter syntax)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def sign_in(user) -> None:
    """Start a fresh cookie session bound to a new server-side session row.

    Nothing from before sign-in survives (session fixation), except the chosen language.
    """
    locale = session.get("locale")
    session.clear()
    if locale and not user.locale:
        session["locale"] = locale
    services.open_web_session(user, ip=request.remote_addr)
    login_user(user)
