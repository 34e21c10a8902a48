"""Platform administration: accounts and the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mobility.audit.models import AuditEvent
from mobility.auth import services
from mobility.auth.forms import UserForm
from mobility.auth.models import User
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.auth.roles import ADMIN
from mobility.errors import ValidationFailed
from mobility.extensions import db
from mobility.organisations.models import PartnerOrganisation
from mobility.templating import nav_item

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50

nav_item("admin.users", _l("Accounts"), {ADMIN}, group="admin")
nav_item("admin.audit", _l("Audit log"), {ADMIN}, group="admin")


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


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
                for field, message in error.details.items():
                    getattr(form, field).errors.append(str(message))
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
    page = _page()
    query = scoped(AuditEvent, current_user)
    object_type = request.args.get("object_type") or None
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    events = db.session.scalars(
        query.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "admin/audit.html", events=events, page=page, total=total, page_size=PAGE_SIZE,
        object_type=object_type,
    )
