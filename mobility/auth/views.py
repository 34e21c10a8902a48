"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from mobility.auth import services
from mobility.auth.forms import LanguageForm, LoginForm
from mobility.auth.policies import public
from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.core.extensions import limiter

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user = services.authenticate(form.email.data, form.password.data)
            except DomainError as error:
                flash(str(error.message), "error")
                status = error.status
            else:
                sign_in(user)
                flash(_("Welcome, %(name)s.", name=user.full_name or user.email), "success")
                return redirect(_safe_next(request.args.get("next")))
        else:
            status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@public
def logout():
    token = current_user.get_id() if current_user.is_authenticated else None
    services.close_web_session(token)
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
