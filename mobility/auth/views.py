"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from mobility.auth import services
from mobility.auth.forms import LanguageForm, LoginForm
from mobility.auth.policies import public
from mobility.auth.signin import login_rate_limit, safe_next, sign_in
from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.core.extensions import limiter
from mobility.core.translations import gettext as _

bp = Blueprint("auth", __name__)


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
                return redirect(safe_next(request.args.get("next")))
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
    return redirect(safe_next(request.form.get("next")))
