"""Pages: the admin's tariffs, the advisor's quote form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mobility.auth.policies import get_or_404, requires_roles, scoped
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import gettext as _
from mobility.people.models import Beneficiary
from mobility.people.services import search_beneficiaries
from mobility.pricing import services
from mobility.pricing.engine import VEHICLE_KINDS, TariffRates
from mobility.pricing.forms import QuoteForm, TariffForm
from mobility.pricing.models import Tariff
from mobility.web.forms import errors_onto_form

bp = Blueprint("pricing", __name__, url_prefix="/pricing")


@bp.route("/tariffs", methods=["GET", "POST"])
@requires_roles(ADMIN)
def tariffs():
    form = TariffForm()
    status = 200
    rows = db.session.scalars(
        scoped(Tariff, current_user).order_by(Tariff.effective_from.desc())).all()
    if request.method == "GET":
        form.fill_from(rows[0].tariff_rates() if rows else TariffRates())
    elif form.validate_on_submit():
        try:
            services.create_tariff(
                current_user, name=form.name.data, effective_from=form.effective_from.data,
                effective_until=form.effective_until.data, rates=form.to_rates(),
                close_previous=form.close_previous.data)
        except Conflict as error:
            form.effective_from.errors.append(str(error.message))
            status = 409
        except ValidationFailed as error:
            errors_onto_form(form, error)
            status = 400
        else:
            flash(_("The tariff was saved."), "success")
            return redirect(url_for("pricing.tariffs"))
    else:
        status = 400
    return render_template("pricing/tariffs.html", form=form, tariffs=rows,
                           kind_labels=services.KIND_LABELS), status


@bp.route("/quote")
@requires_roles(ADVISOR, ADMIN)
def quote():
    form = QuoteForm(request.args)
    # the person comes first (their file, or searched here): never a list of everyone
    person_id = request.args.get("beneficiary_id", type=int)
    beneficiary = get_or_404(Beneficiary, person_id, current_user) if person_id else None
    query = (request.args.get("q") or "").strip()
    found = (search_beneficiaries(current_user, q=query[:100], limit=20)
             if beneficiary is None and query else None)
    result = tariff = None
    error = None
    status = 200
    if beneficiary is not None and request.args.get("start") is not None:
        if form.validate():
            try:
                result, tariff = services.quote_for(
                    beneficiary, kind=form.kind.data, start=form.start.data,
                    end=form.end.data, scheme=form.scheme.data, seats=form.seats.data or 1)
            except ValidationFailed as failure:
                error = failure
                errors_onto_form(form, failure)
                status = 400
        else:
            status = 400
    return render_template(
        "pricing/quote.html", form=form, quote=result, tariff=tariff, beneficiary=beneficiary,
        found=found,
        error=error, line_label=services.line_label, reduction_labels=services.REDUCTION_LABELS,
        vehicle_kinds=VEHICLE_KINDS,
    ), status
