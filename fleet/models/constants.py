"""The fleet's words: kinds, statuses and their labels, checklists, the roles that see and
change each record."""

from __future__ import annotations

from mobility.core.roles import ADMIN, ADVISOR, FLEET_MANAGER
from mobility.core.translations import lazy_gettext as _l

VEHICLE_KINDS = ("bike", "e_bike", "scooter", "moped", "car")
VEHICLE_KIND_LABELS = {
    "bike": _l("Bike"), "e_bike": _l("E-bike"), "scooter": _l("Scooter"),
    "moped": _l("Moped"), "car": _l("Car"),
}
#: other kinds that can stand in for a kind, best first (for alternatives and replacements)
FITTING_KINDS = {
    "bike": ("e_bike",),
    "e_bike": ("bike", "scooter"),
    "scooter": ("moped", "e_bike"),
    "moped": ("scooter",),
    "car": ("moped", "scooter"),
}
#: kinds with an engine and fuel or battery level to track
MOTOR_KINDS = frozenset({"e_bike", "scooter", "moped", "car"})

VEHICLE_STATUSES = ("available", "rented", "maintenance", "immobilised", "retired")
VEHICLE_STATUS_LABELS = {
    "available": _l("Available"), "rented": _l("Rented"), "maintenance": _l("In maintenance"),
    "immobilised": _l("Immobilised"), "retired": _l("Retired"),
}
#: statuses in which a vehicle cannot be booked
UNBOOKABLE_STATUSES = frozenset({"maintenance", "immobilised", "retired"})

SITE_KINDS = ("pole", "parking")
SITE_KIND_LABELS = {"pole": _l("Pole"), "parking": _l("Parking")}

RENTAL_STATUSES = ("booked", "in_progress", "returned", "closed", "cancelled")
RENTAL_STATUS_LABELS = {
    "booked": _l("Booked"), "in_progress": _l("In progress"), "returned": _l("Returned"),
    "closed": _l("Closed"), "cancelled": _l("Cancelled"),
}
#: rentals out or booked, as SQL with literal values: the partial index on them is used only by
#: queries that spell the same condition (a bound parameter would not match it)
OPEN_RENTALS_SQL = "status IN ('booked', 'in_progress')"
#: statuses of a rental that still holds its vehicle for its period
BLOCKING_RENTAL_STATUSES = ("booked", "in_progress", "returned", "closed")
#: statuses after the vehicle came back (returned, then settled and closed)
ENDED_RENTAL_STATUSES = ("returned", "closed")

INSPECTION_KINDS = ("check_out", "check_in")
INSPECTION_KIND_LABELS = {"check_out": _l("Check-out"), "check_in": _l("Check-in")}
CHECKLIST_LABELS = {
    "lights": _l("Lights"), "brakes": _l("Brakes"), "tyres": _l("Tyres"), "lock": _l("Lock"),
    "helmet": _l("Helmet"), "documents": _l("Documents"), "battery_charger": _l("Charger"),
    "mirrors": _l("Mirrors"), "bodywork": _l("Bodywork"),
    "safety_kit": _l("Safety vest and triangle"),
    "chain": _l("Chain"), "bell": _l("Bell"),
}
CHECKLISTS = {
    "bike": ("lights", "brakes", "tyres", "chain", "bell", "lock", "helmet"),
    "e_bike": ("lights", "brakes", "tyres", "chain", "bell", "lock", "helmet", "battery_charger"),
    "scooter": ("lights", "brakes", "tyres", "mirrors", "lock", "helmet", "documents"),
    "moped": ("lights", "brakes", "tyres", "mirrors", "lock", "helmet", "documents"),
    "car": ("lights", "brakes", "tyres", "mirrors", "bodywork", "safety_kit", "documents"),
}
#: checklist items without which a vehicle is not safe to leave: a failed one refuses the
#: hand-over and opens a repair job
SAFETY_ITEMS = frozenset({"brakes", "lights", "tyres"})
#: kinds that must be insured to be on the road (Code des assurances, art. L211-1: every motor
#: vehicle); pedal-assisted e-bikes are cycles
INSURED_KINDS = frozenset({"scooter", "moped", "car"})
#: kinds that need a valid technical inspection (contrôle technique, Code de la route
#: art. R323-1 for cars; for two-wheelers it is checked when a date is recorded)
INSPECTED_KINDS = frozenset({"car"})
#: vehicle "classes" for the one-vehicle-at-a-time rule
VEHICLE_CLASSES = {"bike": "cycle", "e_bike": "cycle", "scooter": "two_wheeler",
                   "moped": "two_wheeler", "car": "car"}

MAINTENANCE_KINDS = ("service", "repair", "technical_inspection")
MAINTENANCE_KIND_LABELS = {
    "service": _l("Service"), "repair": _l("Repair"),
    "technical_inspection": _l("Technical inspection"),
}
MAINTENANCE_STATUSES = ("open", "done", "cancelled")
MAINTENANCE_STATUS_LABELS = {"open": _l("Open"), "done": _l("Done"), "cancelled": _l("Cancelled")}

DRIVER_KINDS = ("volunteer", "employee", "beneficiary")
DRIVER_KIND_LABELS = {
    "volunteer": _l("Volunteer"), "employee": _l("Employee"), "beneficiary": _l("Beneficiary"),
}
WEEKDAY_LABELS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
SEAT_STATUSES = ("booked", "cancelled")
MINIBUS_CHARTER_VERSION = "2026-1"

# who sees and who changes each kind of record (`view_roles`, `edit_roles`)
STAFF_VIEW = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
FLEET_EDIT = frozenset({ADMIN, FLEET_MANAGER})
BOOKING_EDIT = frozenset({ADMIN, ADVISOR})

