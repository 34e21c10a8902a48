"""Register the fleet tables and plug the audit log into the fleet services."""

from fleet import models as fleet_models  # noqa: F401  (tables)
from fleet import services as fleet_services
from mobility.audit.services import record_audit

fleet_services.audit_hook = record_audit


def rental_mileage_allowance(rental) -> float | None:
    """120 % of the beneficiary's home-work round trip by road for the vehicle's mode, in km."""
    from flask import current_app

    from mobility.commute.services import beneficiary_points, mileage_allowance_km

    if not current_app.config.get("GEOCODING_ENABLED", not current_app.testing):
        return None
    points = beneficiary_points(rental.beneficiary)
    if points is None:
        return None
    return mileage_allowance_km(*points, rental.vehicle.kind)


fleet_services.mileage_allowance_hook = rental_mileage_allowance
