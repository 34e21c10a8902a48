"""Platform administration: accounts, the lender identity and the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from mobility.audit.models import AuditEvent
from mobility.auth import services
from mobility.auth.forms import UserForm
from mobility.auth.models import User
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.roles import ADMIN
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.organisations.models import PartnerOrganisation
from mobility.pagination import page_cursor_arg, paginate
from mobility.platforms.models import Platform
from mobility.platforms.services import set_lender_identity
from mobility.web.forms import errors_onto_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@requires_roles(ADMIN)
def users():
    form = UserForm()
    organisations = db.session.scalars(
        scoped(PartnerOrganisation, current_user).order_by(PartnerOrganisation.name)
    ).all()
    form.organisation_id.choices = [(0, "—")] + [(o.id, o.name) for o in organisations]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.create_user(
                    email=form.email.data, password=form.password.data, role=form.role.data,
                    platform_id=current_user.platform_id, full_name=form.full_name.data,
                    organisation_id=form.organisation_id.data or None, actor=current_user,
                )
            except ValidationFailed as error:
                errors_onto_form(form, error)
                status = 400
            else:
                flash(_("The account was created."), "success")
                return redirect(url_for("admin.users"))
        else:
            status = 400
    accounts = db.session.scalars(
        scoped(User, current_user).options(joinedload(User.organisation)).order_by(User.email)
    ).all()
    return render_template(
        "admin/users.html", form=form, accounts=accounts, toggle_form=FlaskForm()
    ), status


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires_roles(ADMIN)
def set_active(user_id: int):
    form = FlaskForm()
    if not form.validate_on_submit():
        raise ValidationFailed()
    account = get_or_404(User, user_id, current_user)
    if account.id == current_user.id:
        raise ValidationFailed(_("You cannot disable your own account."))
    activate = request.form.get("active") == "1"
    services.set_account_active(current_user, account, activate)
    flash(_("The account was enabled.") if activate else _("The account was disabled."), "success")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
@requires_roles(ADMIN)
def audit():
    query = scoped(AuditEvent, current_user).options(joinedload(AuditEvent.actor))
    object_type = request.args.get("object_type") or None
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    # newest first, a page at a time (keyset: no count nor offset over a log that only grows)
    events = paginate(query, (AuditEvent.at, AuditEvent.id), cursor=page_cursor_arg(),
                      descending=True)
    return render_template(
        "admin/audit.html", events=events,
        object_type=object_type,
    )


class LenderForm(FlaskForm):
    """The association named as lender on the provision contracts."""

    legal_name = StringField(_l("Legal name of the association"),
                             validators=[Length(max=200)])
    address = TextAreaField(_l("Address"), validators=[Length(max=300)])
    siret = StringField(_l("SIRET"), validators=[Length(max=20)])


@bp.route("/lender", methods=["GET", "POST"])
@requires_roles(ADMIN)
def lender():
    """The lender on the contracts of the admin's own platform (same rule as the CLI)."""
    platform = db.session.get(Platform, current_user.platform_id)
    form = LenderForm()
    status = 200
    if request.method == "GET":
        form.legal_name.data = platform.legal_name
        form.address.data = platform.legal_address
        form.siret.data = platform.siret
    elif not form.validate_on_submit():
        status = 400
    else:
        try:
            set_lender_identity(platform, legal_name=form.legal_name.data,
                                address=form.address.data, siret=form.siret.data,
                                actor=current_user)
        except ValidationFailed as error:
            db.session.rollback()
            errors_onto_form(form, error)
            status = 400
        else:
            flash(_("The lender identity was saved."), "success")
            return redirect(url_for("admin.lender"))
    return render_template("admin/lender.html", form=form, platform=platform), status
