"""People pages: referrals (prescribers and advisors), beneficiary files with their timeline,
assessments, workshops, partner organisations and settings (admins), the beneficiary's own
file."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, send_from_directory
from flask_login import current_user
from sqlalchemy import func, select

from mobility.audit.services import record_view
from mobility.auth.policies import public, requires_roles
from mobility.core.db import db
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, PRESCRIBER
from mobility.people import grid, services
from mobility.people import models as m
from mobility.people.models import Beneficiary, Referral
from mobility.web.panels import dashboard_panel

bp = Blueprint("people", __name__, url_prefix="/people")
STATIC = Path(__file__).resolve().parent / "static"
STAFF = (ADMIN, ADVISOR)


@bp.app_context_processor
def _labels():
    return {"people_labels": m, "label": m.label, "grid": grid, "STAGES": services.STAGES}


@bp.route("/assets/people.css")
@public
def stylesheet():
    """The people pages' stylesheet."""
    return send_from_directory(STATIC, "people.css", mimetype="text/css", max_age=3600)


# -- dashboard panels --------------------------------------------------------------------------


@dashboard_panel(ADVISOR, ADMIN)
def _referrals_panel(user):
    waiting = db.session.scalar(select(func.count(Referral.id)).where(
        Referral.platform_id == user.platform_id, Referral.status == "submitted"))
    return {"template": "people/_panel_advisor.html", "waiting": waiting}


@dashboard_panel(PRESCRIBER)
def _prescriber_panel(user):
    referrals = services.referrals_for(user)[:5]
    return {"template": "people/_panel_prescriber.html", "referrals": referrals}


@dashboard_panel(BENEFICIARY)
def _beneficiary_panel(user):
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id))
    if beneficiary is None:
        return None
    return {"template": "people/_panel_beneficiary.html", "beneficiary": beneficiary}


# -- the beneficiary's own file ----------------------------------------------------------------


@bp.route("/me")
@requires_roles(BENEFICIARY)
def my_file():
    item = db.session.scalar(select(Beneficiary).where(
        Beneficiary.user_id == current_user.id,
        Beneficiary.platform_id == current_user.platform_id))
    if item is not None:
        record_view(current_user, item)
    return render_template("people/my_file.html", beneficiary=item)
