"""Page: download a rental's état des lieux (access as for the rental itself)."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from fleet.models import Rental
from mobility.auth.policies import get_or_404, requires_roles
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.documents.inspection_report import inspection_report_pdf

bp = Blueprint("documents", __name__, url_prefix="/documents")

#: who may read a rental (the rental's own `can_view` narrows beneficiaries to theirs)
REPORT_ROLES = (ADMIN, ADVISOR, FLEET_MANAGER, BENEFICIARY)


def report_response(rental: Rental) -> Response:
    response = Response(inspection_report_pdf(rental), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="etat-des-lieux-{rental.platform_id}-{rental.id}.pdf"')
    return response


@bp.route("/rentals/<int:rental_id>/etat-des-lieux.pdf")
@requires_roles(*REPORT_ROLES)
def inspection_report(rental_id: int):
    return report_response(get_or_404(Rental, rental_id, current_user))
