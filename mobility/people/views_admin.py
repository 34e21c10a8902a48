"""Admin pages: partner organisations and their referents, the people settings."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from mobility.auth.models import User
from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.roles import ADMIN, PRESCRIBER
from mobility.core.translations import gettext as _
from mobility.organisations.models import PartnerOrganisation
from mobility.people import forms, services
from mobility.people.views import bp
from mobility.web.forms import attempt

# -- partner organisations (admin) -------------------------------------------------------------


@bp.route("/organisations", methods=["GET", "POST"])
@requires_roles(ADMIN)
def organisations():
    form = forms.OrganisationForm(prefix="org")
    status = 200
    if request.method == "POST":
        created, status = attempt(form, lambda: services.create_organisation(
            current_user, name=form.name.data, kind=form.kind.data))
        if created is not None:
            flash(_("The organisation was registered."), "success")
            return redirect(url_for("people.organisations"))
    rows = db.session.scalars(scoped(PartnerOrganisation, current_user)
                              .order_by(PartnerOrganisation.name)).all()
    return render_template("people/organisations.html", form=form, organisations=rows), status


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@requires_roles(ADMIN)
def organisation(organisation_id: int):
    org = get_or_404(PartnerOrganisation, organisation_id, current_user, action="edit")
    form = forms.ReferentForm(prefix="referent")
    prescribers = db.session.scalars(scoped(User, current_user).where(
        User.role == PRESCRIBER, User.organisation_id == org.id)).all()
    form.user_id.choices = [forms.EMPTY] + [(u.id, f"{u.full_name} <{u.email}>")
                                            for u in prescribers]
    status = 200
    if request.method == "POST":
        created, status = attempt(form, lambda: services.create_referent(
            current_user, org, first_name=form.first_name.data, last_name=form.last_name.data,
            job_title=form.job_title.data, email=form.email.data, phone=form.phone.data,
            user_id=form.user_id.data))
        if created is not None:
            flash(_("The referent was added."), "success")
            return redirect(url_for("people.organisation", organisation_id=org.id))
    return render_template("people/organisation.html", organisation=org, form=form), status


@bp.route("/settings", methods=["GET", "POST"])
@requires_roles(ADMIN)
def settings():
    form = forms.SettingsForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                config = json.loads(form.config.data or "{}")
            except ValueError:
                form.config.errors = [_("This is not valid JSON.")]
                status = 400
            else:
                try:
                    services.update_settings(current_user, config)
                except ValidationFailed as error:
                    form.config.errors = [f"{k}: {v}" for k, v in (error.details or {}).items()]
                    status = 400
                else:
                    flash(_("The settings were saved."), "success")
                    return redirect(url_for("people.settings"))
        else:
            status = 400
    else:
        form.config.data = json.dumps(services.settings_config(current_user.platform_id),
                                      indent=2, ensure_ascii=False)
    return render_template(
        "people/settings.html", form=form,
        scoring=services.scoring_for(current_user.platform_id),
        eligibility=services.eligibility_config_for(current_user.platform_id)), status


