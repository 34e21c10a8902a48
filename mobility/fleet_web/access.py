"""Who may use the fleet's pages and endpoints beyond the staff: the fleet's managers and the
people who book."""

from mobility.core.roles import ADMIN, ADVISOR, FLEET_MANAGER

#: who runs the fleet: vehicles, sites, inspections, returns, maintenance
FLEET = {ADMIN, FLEET_MANAGER}
#: who books vehicles and seats for beneficiaries
BOOKERS = {ADMIN, ADVISOR}
