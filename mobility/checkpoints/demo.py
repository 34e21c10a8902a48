"""Demo checkpoints: the weekly (AMIE: monthly) history of the demo rentals in progress.

Each in-progress rental without checkpoints gets one per period since its start, paid in full,
with the odometer within its allowance — except one person who skipped the last payment (so
the advisor sees arrears) and one whose last reading is over the allowance (a mileage flag).
"""

from __future__ import annotations

from sqlalchemy import select

from fleet.models import Rental
from mobility.auth.models import User
from mobility.checkpoints.models import Checkpoint
from mobility.checkpoints.services import default_next_date, last_reading, record_checkpoint
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.payments.services import ledger
from mobility.pricing.services import ensure_terms


def load(platform) -> None:
    """Record the demo rentals' past checkpoints (idempotent: skips rentals that have some)."""
    advisor = db.session.scalar(select(User).where(User.platform_id == platform.id,
                                                   User.role == "advisor").order_by(User.id))
    if advisor is None:
        return
    rentals = db.session.scalars(
        select(Rental).where(Rental.platform_id == platform.id, Rental.status == "in_progress",
                             ~Rental.id.in_(select(Checkpoint.rental_id)))
        .order_by(Rental.id)).all()
    now = local_today()
    for index, rental in enumerate(rentals):
        kind = "monthly" if ensure_terms(rental).scheme == "amie" else "weekly"
        days = []
        day = default_next_date(kind, rental.start_date)
        while day < now:
            days.append(day)
            day = default_next_date(kind, day)
        for number, day in enumerate(days, start=1):
            last = number == len(days)
            previous = last_reading(rental)
            odometer = previous.odometer_km if previous else rental.vehicle.odometer_km
            allowance = rental.daily_mileage_allowance_km or 10
            share = 1.6 if (index == 1 and last) else 0.7  # the second rental's last week
            odometer += int(allowance * 5 * share)
            owed = ledger(rental, today=day)["arrears_cents"]
            skip_payment = index == 0 and last  # the first rental's last payment is missing
            record_checkpoint(
                advisor, rental, day=day, odometer_km=odometer, condition={},
                payment=({"amount_cents": owed, "method": "cash"}
                         if owed > 0 and not skip_payment else None),
                note="Point étape de démonstration.", send_to_referent=False,
            )
