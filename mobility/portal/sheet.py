"""The printable summary sheet an advisor hands to a beneficiary: what the beneficiary's portal
shows (vehicle, return date and place, next checkpoint, what is owed and paid, contract, seats,
commute, advisor), for one person of the advisor's platform, and nothing else."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from mobility.audit.services import record_view
from mobility.auth.policies import get_or_404, requires_roles
from mobility.core.columns import utcnow
from mobility.core.roles import ADMIN, ADVISOR
from mobility.people.models import Beneficiary
from mobility.portal.summary import commute_for_sheet, summary_for
from mobility.portal.views import bp

#: the fields the sheet reads (for the audit log: names only, never values)
SHEET_FIELDS = ["first_name", "last_name", "rentals", "payments", "contract", "seats",
                "commute", "advisor"]


@bp.route("/beneficiaries/<int:beneficiary_id>/sheet")
@requires_roles(ADVISOR, ADMIN)
def summary_sheet(beneficiary_id: int):
    """The summary sheet of one beneficiary, ready to print (another platform's id: 404)."""
    beneficiary = get_or_404(Beneficiary, beneficiary_id, current_user)
    summary = summary_for(beneficiary, current_user)
    record_view(current_user, beneficiary, fields=SHEET_FIELDS)
    return render_template("portal/sheet.html", summary=summary,
                           commute=commute_for_sheet(beneficiary, current_user),
                           printed_at=utcnow())
