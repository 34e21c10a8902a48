"""Fleet services: every change to the fleet goes through one of these functions.

They validate input, enforce the rules (no double booking, no overselling of seats), write in
one transaction and commit. Refusals raise `mobility.core.errors` exceptions, so nothing is
changed.

This package re-exports the public names of its modules (`fleet.services.X` keeps working for
its many callers); each has one home:

- `vehicles`: sites and vehicles;
- `rentals`: availability and bookings (periods, no double booking, the planned return date);
- `inspections`: check-out, check-in and the beneficiary's sign-off;
- `returns`: the return slot and the returns board;
- `maintenance`: maintenance jobs, immobilisation, replacement vehicles;
- `photos`: picture uploads (the one home: vehicles, inspections, people's documents);
- `carpool`, `minibus`: rides, runs and their seats;
- `common`: the hooks the web layer installs (`audit_hook`, `beneficiary_hook`) and the
  helpers every service shares.

The rules of a rental's steps that read the person, the prices, the contract or the deposit
live in `mobility.rentals.lifecycle`, which calls the rental functions here once they hold.
"""

from fleet.services.carpool import book_seats, cancel_seat, create_ride, seats_taken
from fleet.services.inspections import (
    check_in,
    check_out,
    check_signoff,
    inspection_differences,
    normalise_name,
    sign_off,
)
from fleet.services.maintenance import (
    complete_maintenance_job,
    create_maintenance_job,
    immobilisation_impact,
    immobilise_vehicle,
    maintenance_due,
    replace_vehicle,
    replacement_options,
)
from fleet.services.minibus import book_minibus_seat, create_run
from fleet.services.photos import (
    ALLOWED_IMAGE_FORMATS,
    MAX_IMAGE_PIXELS,
    CleanPicture,
    clean_picture,
    photo_path,
    save_photo,
    store_upload,
    without_metadata,
)
from fleet.services.rentals import (
    FREE_DATE_HORIZON_DAYS,
    MAX_RENTAL_DAYS,
    book_rental,
    cancel_rental,
    change_end_date,
    conflict_details,
    conflicts_for,
    double_booking_conflict,
    extend_rental,
    first_free_dates,
    free_vehicles,
    guard_period,
    overlapping,
    search_availability,
    set_mileage_allowance,
    shorten_rental,
    validate_new_period,
)
from fleet.services.returns import (
    RETURN_BUCKETS,
    RETURN_WEEK_DAYS,
    return_bucket,
    returns_board,
    returns_counts,
    returns_query,
    schedule_return,
)
from fleet.services.vehicles import (
    SITE_FIELDS,
    VEHICLE_FIELDS,
    create_site,
    create_vehicle,
    update_site,
    update_vehicle,
    vehicle_of_platform,
)

__all__ = [
    "SITE_FIELDS",
    "VEHICLE_FIELDS",
    "create_site",
    "create_vehicle",
    "update_site",
    "update_vehicle",
    "vehicle_of_platform",
    "FREE_DATE_HORIZON_DAYS",
    "MAX_RENTAL_DAYS",
    "book_rental",
    "cancel_rental",
    "change_end_date",
    "conflict_details",
    "conflicts_for",
    "double_booking_conflict",
    "extend_rental",
    "first_free_dates",
    "free_vehicles",
    "guard_period",
    "overlapping",
    "search_availability",
    "set_mileage_allowance",
    "shorten_rental",
    "validate_new_period",
    "check_in",
    "check_out",
    "check_signoff",
    "inspection_differences",
    "normalise_name",
    "sign_off",
    "RETURN_BUCKETS",
    "RETURN_WEEK_DAYS",
    "return_bucket",
    "returns_board",
    "returns_counts",
    "returns_query",
    "schedule_return",
    "complete_maintenance_job",
    "create_maintenance_job",
    "immobilisation_impact",
    "immobilise_vehicle",
    "maintenance_due",
    "replace_vehicle",
    "replacement_options",
    "ALLOWED_IMAGE_FORMATS",
    "MAX_IMAGE_PIXELS",
    "CleanPicture",
    "clean_picture",
    "photo_path",
    "save_photo",
    "store_upload",
    "without_metadata",
    "book_seats",
    "cancel_seat",
    "create_ride",
    "seats_taken",
    "book_minibus_seat",
    "create_run",
]
