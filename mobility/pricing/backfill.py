"""Bulk fixes of stored price terms, in SQL, for migrations and data loads (no ORM): each class
of terms is priced once by the engine, its rows then take the result."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection

from mobility.pricing.engine import QuoteError, Situation, TariffRates, bougez_week_terms


def fill_week_terms(connection: Connection) -> int:
    """Set the kind and week terms (`RentalTerms.fix_week_terms`) of the "Bougez" terms
    written without them, from their rental's vehicle; returns how many classes of terms the
    engine priced."""
    connection.execute(text(
        "UPDATE pricing_rental_terms SET priced_kind = (SELECT v.kind FROM fleet_rentals r "
        "JOIN fleet_vehicles v ON v.id = r.vehicle_id WHERE r.id = pricing_rental_terms.rental_id) "
        "WHERE scheme = 'bougez' AND priced_kind IS NULL"))
    classes = connection.execute(text(
        "SELECT DISTINCT CAST(rates AS TEXT), receives_rsa, lives_in_qpv, resources_band, "
        "membership_due, priced_kind FROM pricing_rental_terms "
        "WHERE scheme = 'bougez' AND priced_kind IS NOT NULL AND daily_rate_cents IS NULL"
    )).all()
    for rates, rsa, qpv, band, fee_due, kind in classes:
        try:
            week = bougez_week_terms(TariffRates.from_dict(json.loads(rates)), kind, Situation(
                receives_rsa=bool(rsa), lives_in_qpv=bool(qpv), resources_band=band,
                membership_due=bool(fee_due)))
        except QuoteError:
            continue  # left unknown: priced one by one, as `quote` prices (or refuses) it
        band_is = "resources_band IS NULL" if band is None else "resources_band = :band"
        connection.execute(text(
            "UPDATE pricing_rental_terms SET daily_rate_cents = :rate, reduction_pct = :pct, "
            "first_fee_cents = :fee WHERE scheme = 'bougez' AND daily_rate_cents IS NULL "
            "AND priced_kind = :kind AND CAST(rates AS TEXT) = :rates AND receives_rsa = :rsa "
            f"AND lives_in_qpv = :qpv AND membership_due = :fee_due AND {band_is}"),
            {"rate": week[0], "pct": week[1], "fee": week[2], "kind": kind, "rates": rates,
             "rsa": rsa, "qpv": qpv, "fee_due": fee_due, "band": band})
    return len(classes)
