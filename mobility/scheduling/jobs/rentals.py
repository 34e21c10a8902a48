"""Returns due soon (to the beneficiary and the advisor) and overdue returns (to the advisor
and the fleet managers; the fleet returns board lists them too)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fleet.models import Rental, Vehicle
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.rendering import absolute_link
from mobility.notifications.settings import setting
from mobility.scheduling.jobs._recipients import StaffCache
from mobility.scheduling.registry import Reminder, reminder_job


def _rentals(*conditions):
    return db.session.scalars(
        select(Rental).where(Rental.status == "in_progress", *conditions)
        .options(joinedload(Rental.vehicle).joinedload(Vehicle.site),
                 joinedload(Rental.beneficiary), joinedload(Rental.advisor),
                 joinedload(Rental.return_site))
        .order_by(Rental.id)
    ).unique()


def _context(rental: Rental, audience: str, link: str) -> dict:
    site = rental.return_site or (rental.vehicle.site if rental.vehicle else None)
    return {
        "audience": audience, "vehicle": rental.vehicle.display_name,
        "end_date": rental.end_date, "return_site": site.name if site else None,
        "return_slot_at": rental.return_slot_at,
        "beneficiary_name": rental.beneficiary.full_name, "link": link,
    }


@reminder_job("rental_return_due", label=_l("Returns due tomorrow"), daily_minute=0)
def rental_return_due(today, now):
    """Rentals in progress due back within REMINDER_RETURN_DAYS days (or today)."""
    staff = StaffCache()
    horizon = today + timedelta(days=setting("REMINDER_RETURN_DAYS"))
    for rental in _rentals(Rental.end_date >= today, Rental.end_date <= horizon):
        key = f"rental:{rental.id}:return_due:{rental.end_date}"
        common = dict(kind="rental_return_due", key=key, platform_id=rental.platform_id,
                      advisor_id=rental.advisor_id, about=("rental", rental.id))
        yield Reminder(recipients=[rental.beneficiary], **common,
                       context=_context(rental, "beneficiary", absolute_link("dashboard.home")))
        yield Reminder(recipients=staff.advisor_or_all(rental.platform_id, rental.advisor),
                       **common, context=_context(
                           rental, "staff", absolute_link("fleet.rental", rental_id=rental.id)))


@reminder_job("rental_overdue", label=_l("Overdue returns"), daily_minute=5)
def rental_overdue(today, now):
    """Rentals still in progress after their return date: once per return date."""
    staff = StaffCache()
    for rental in _rentals(Rental.end_date < today):
        recipients = (staff.advisor_or_all(rental.platform_id, rental.advisor)
                      + staff.fleet_managers(rental.platform_id))
        yield Reminder(
            kind="rental_overdue", key=f"rental:{rental.id}:overdue:{rental.end_date}",
            recipients=recipients, platform_id=rental.platform_id,
            advisor_id=rental.advisor_id, about=("rental", rental.id),
            context=_context(rental, "staff", absolute_link("fleet.rental", rental_id=rental.id)),
        )
