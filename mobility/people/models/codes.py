"""The people feature's code lists (genders, reasons, exits, schemes...) and their labels."""

from __future__ import annotations

from mobility.core.roles import ADMIN, ADVISOR
from mobility.core.translations import lazy_gettext as _l

STAFF_EDIT = frozenset({ADMIN, ADVISOR})

GENDERS = {
    "female": _l("Woman"),
    "male": _l("Man"),
    "other": _l("Other"),
    "unspecified": _l("Not specified"),
}
#: Monthly resources bands, read by the payments feature for prices.
RESOURCES_BANDS = {
    "under_600": _l("Under 600 € a month"),
    "600_1000": _l("600 to 1,000 € a month"),
    "1000_1500": _l("1,000 to 1,500 € a month"),
    "over_1500": _l("Over 1,500 € a month"),
}
REFERRAL_REASONS = {
    "job_found": _l("Job found"),
    "interview": _l("Job interview"),
    "training": _l("Training"),
    "job_search": _l("Job search"),
}
EMPLOYMENT_KINDS = {
    "job": _l("In employment"),
    "training": _l("In training"),
    "job_search": _l("Looking for work"),
    "none": _l("None"),
}
CONTRACT_TYPES = {
    "permanent": _l("Permanent contract (CDI)"),
    "fixed_term": _l("Fixed-term contract (CDD)"),
    "temp_work": _l("Temp work (intérim)"),
    "subsidised": _l("Subsidised contract"),
    "apprenticeship": _l("Apprenticeship"),
    "training": _l("Training course"),
    "business_creation": _l("Business creation"),
    "other": _l("Other"),
}
OBSTACLES = {
    "no_licence": _l("No driving licence"),
    "no_vehicle": _l("No vehicle"),
    "cost": _l("Cost of transport"),
    "health": _l("Health"),
    "childcare": _l("Childcare"),
    "language": _l("Language"),
    "digital": _l("Little ease with digital tools"),
    "no_transit": _l("No public transport at the needed hours"),
}
REFERRAL_STATUSES = {
    "submitted": _l("Waiting for the advisor"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
}
PATHWAY_STATUSES = {"open": _l("In progress"), "exited": _l("Exited")}
ACTION_KINDS = {
    "coaching": _l("Individual coaching session"),
    "workshop": _l("Collective workshop"),
    "rental": _l("Vehicle rental"),
    "carpool": _l("Carpool seat"),
    "minibus": _l("Minibus seat"),
    "partner_referral": _l("Referral to a partner operator"),
}
NOTE_KINDS = {
    "meeting": _l("Meeting"),
    "phone": _l("Phone call"),
    "checkpoint": _l("Checkpoint"),
    "other": _l("Other"),
}
ATTENDANCE_STATUSES = {
    "registered": _l("Registered"),
    "attended": _l("Attended"),
    "absent": _l("Absent"),
}
EXIT_REASONS = {
    "solution_found": _l("Lasting solution found"),
    "contract_ended": _l("Contract ended"),
    "moved": _l("Moved away"),
    "dropped_out": _l("Stopped coming"),
    "other": _l("Other"),
}
EXIT_SOLUTIONS = {
    "own_car": _l("Own car"),
    "own_two_wheeler": _l("Own two-wheeler"),
    "public_transport": _l("Public transport on their own"),
    "carpool": _l("Carpool"),
    "licence_obtained": _l("Driving licence obtained"),
    "none": _l("None"),
}
EXIT_EMPLOYMENT = {
    "temp_work": _l("Temp work"),
    "fixed_term": _l("Fixed-term contract"),
    "permanent": _l("Permanent contract"),
    "subsidised": _l("Subsidised contract"),
    "business_creation": _l("Business creation"),
    "training": _l("Training"),
    "none": _l("None"),
}
SCHEMES = {"amie": _l("AMIE (car rental, up to 5 months)"),
           "bougez": _l("Bougez vers l'emploi")}


def label(mapping: dict, code: str | None) -> str:
    """The translated label of a code, or the code itself when unknown."""
    if code is None:
        return ""
    return str(mapping.get(code, code))


