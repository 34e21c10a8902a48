"""API: a rental's état des lieux as PDF."""

from __future__ import annotations

from fleet.models import Rental
from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.documents.views import REPORT_ROLES, report_response


@api_route("/rentals/<int:rental_id>/inspection-report.pdf", roles=set(REPORT_ROLES),
           media_types=("application/pdf",),
           tags=["documents"], response={"type": "string", "format": "binary"},
           summary="The état des lieux: check-out against check-in, item by item (409 before "
                   "the check-out)")
def inspection_report(user, rental_id: int):
    return report_response(get_or_404(Rental, rental_id, user))
