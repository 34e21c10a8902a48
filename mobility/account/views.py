"""The change-password page, the forced change after an admin's reset, the reset itself."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, TelField
from wtforms.validators import DataRequired, EqualTo, Length

from mobility.auth import passwords
from mobility.auth.models import User, hash_secret
from mobility.auth.policies import get_or_404, requires_roles
from mobility.auth.services import set_work_phone
from mobility.core.errors import ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, ALL_ROLES, FLEET_MANAGER
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.platforms.phones import default_region, display_phone
from mobility.web.forms import attempt

bp = Blueprint("account", __name__, url_prefix="/account")


#: what a person who must change their password can still open
ALLOWED_WHILE_FORCED = {"account.password", "auth.logout", "auth.set_language", "static"}


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"})


@bp.before_app_request
def _force_password_change():
    """After an admin's reset, every page leads to the change-password page first."""
    if request.endpoint is None or request.path.startswith("/api/"):
        return None
    if request.endpoint in ALLOWED_WHILE_FORCED or request.endpoint.endswith(".static"):
        return None
    if current_user.is_authenticated and getattr(current_user, "must_change_password", False):
        return redirect(url_for("account.password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@requires_roles(*sorted(ALL_ROLES))
def password():
    form = ChangePasswordForm()

    def change():
        token = current_user.get_id()
        passwords.change_password(current_user, current=form.current.data, new=form.new.data,
                                  keep_session_hash=hash_secret(token) if token else None)

    status = 200
    if request.method == "POST":
        _done, status = attempt(form, change)
        if status == 200:
            flash(_("Your password was changed."), "success")
            return redirect(url_for("dashboard.home"))
    return render_template("account/password.html", form=form,
                           forced=current_user.must_change_password), status


class WorkPhoneForm(FlaskForm):
    phone = TelField(_l("Work phone"), validators=[Length(max=32)],
                     render_kw={"autocomplete": "tel"})


@bp.route("/phone", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN, FLEET_MANAGER)
def phone():
    """The staff member's work phone: the beneficiaries they follow see it with a call
    button on their home page."""
    form = WorkPhoneForm()
    status = 200
    if request.method == "POST":
        _saved, status = attempt(form, lambda: set_work_phone(current_user, form.phone.data,
                                                              actor=current_user))
        if status == 200:
            flash(_("Your work phone was saved."), "success")
            return redirect(url_for("account.phone"))
    elif current_user.phone:
        form.phone.data = display_phone(current_user.phone, default_region(
            current_user.platform_id))
    return render_template("account/phone.html", form=form), status


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@requires_roles(ADMIN)
def reset(user_id: int):
    """An admin gives a temporary password (shown once on this page, never stored in clear)."""
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed()
    account = get_or_404(User, user_id, current_user)
    if account.id == current_user.id:
        raise ValidationFailed(_("Change your own password on your account page."))
    if account.password_hash is None and account.role == "beneficiary":
        raise ValidationFailed(_("This person signs in with a code: there is no password."))
    email = account.email
    temporary = passwords.reset_password(current_user, account)
    return render_template("account/reset_done.html", email=email, temporary=temporary)
