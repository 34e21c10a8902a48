"""The roles of the platform's users."""

from mobility.core.translations import lazy_gettext as _l

ADMIN = "admin"
ADVISOR = "advisor"
FLEET_MANAGER = "fleet_manager"
PRESCRIBER = "prescriber"
BENEFICIARY = "beneficiary"

ROLES = (ADMIN, ADVISOR, FLEET_MANAGER, PRESCRIBER, BENEFICIARY)
STAFF = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
ALL_ROLES = frozenset(ROLES)

ROLE_LABELS = {
    ADMIN: _l("Platform administrator"),
    ADVISOR: _l("Mobility advisor"),
    FLEET_MANAGER: _l("Fleet manager"),
    PRESCRIBER: _l("Prescriber"),
    BENEFICIARY: _l("Beneficiary"),
}
