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


def store_mileage_allowance(rental) -> None:
    """After a booking: compute the allowance (reads), then write it under the write lock."""
    from mobility.extensions import db, write_transaction

    km = rental_mileage_allowance(rental)
    if km is None:
        return
    rental_id = rental.id
    db.session.commit()  # the reads above must not turn into a write on SQLite
    with write_transaction():
        fresh = db.session.get(fleet_models.Rental, rental_id)
        fresh.daily_mileage_allowance_km = round(float(km), 1)


def fix_price_terms(rental) -> None:
    """After a booking: copy the tariff in force on the start date and the person's situation
    into the rental's terms, so that viewing a ledger never has to write."""
    from mobility.extensions import db, write_transaction
    from mobility.pricing.services import ensure_terms

    rental_id = rental.id
    db.session.commit()
    with write_transaction():
        ensure_terms(db.session.get(fleet_models.Rental, rental_id), commit=False)


fleet_services.after_booking[:] = [store_mileage_allowance, fix_price_terms]
