"""Pages: the contract sign screen and its download."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fleet.models import Rental
from mobility.auth.policies import get_or_404, requires_roles
from mobility.contracts import services
from mobility.contracts.api import pdf_response
from mobility.contracts.forms import SignForm
from mobility.core.errors import ValidationFailed
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.core.translations import gettext as _
from mobility.rentals import lifecycle
from mobility.web.forms import errors_onto_form

bp = Blueprint("contracts", __name__, url_prefix="/contracts")


@bp.route("/rentals/<int:rental_id>", methods=["GET", "POST"])
@requires_roles(ADVISOR, ADMIN, BENEFICIARY)
def contract(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user)
    document = services.ensure_contract(rental)
    form = SignForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                lifecycle.sign_contract(current_user, rental,
                                        signer_name=form.signer_name.data,
                                        accepted=form.accepted.data,
                                        document_sha256=form.document_sha256.data or None)
            except ValidationFailed as error:
                errors_onto_form(form, error)
                status = 400
            else:
                flash(_("The contract is signed and archived."), "success")
                return redirect(url_for("contracts.contract", rental_id=rental.id))
        else:
            status = 400
    form.document_sha256.data = document.sha256
    return render_template("contracts/contract.html", rental=rental, contract=document,
                           form=form), status


@bp.route("/rentals/<int:rental_id>/contract.pdf")
@requires_roles(ADVISOR, ADMIN, BENEFICIARY)
def contract_pdf(rental_id: int):
    rental = get_or_404(Rental, rental_id, current_user)
    return pdf_response(services.ensure_contract(rental),
                        accepted=request.args.get("accepted") in ("1", "true"))
