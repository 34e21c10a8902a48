"""Demo data: the platform's 2026 tariff (the Bougez scheme's rates, our AMIE ladder), and
the demo rentals' price terms, fixed as a booking fixes them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from fleet.models import Rental
from mobility.core.db import db
from mobility.pricing.engine import TariffRates
from mobility.pricing.models import RentalTerms, Tariff
from mobility.pricing.services import ensure_terms


def load(platform) -> None:
    """Create the demo tariff once (idempotent)."""
    exists = db.session.scalar(select(Tariff.id).where(Tariff.platform_id == platform.id))
    if exists is None:
        db.session.add(Tariff(platform_id=platform.id, name="Tarif 2026",
                              effective_from=date(2026, 1, 1), rates=TariffRates().to_dict()))
    db.session.commit()
    for rental in db.session.scalars(
            select(Rental).where(Rental.platform_id == platform.id,
                                 ~Rental.id.in_(select(RentalTerms.rental_id)))):
        ensure_terms(rental, commit=False)
    db.session.commit()
