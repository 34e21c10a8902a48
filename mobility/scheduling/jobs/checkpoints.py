"""Checkpoint reminders to the beneficiary (the day before, configurable)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from fleet.models import Rental, Vehicle
from mobility.checkpoints.models import Checkpoint
from mobility.extensions import db
from mobility.notifications.rendering import absolute_link
from mobility.notifications.settings import setting
from mobility.scheduling.registry import Reminder, reminder_job


@reminder_job("checkpoint_reminders", label=_l("Checkpoint reminders"), daily_minute=30)
def checkpoint_reminders(today, now):
    """Rentals in progress whose latest checkpoint set a next date within
    REMINDER_CHECKPOINT_DAYS days (today included: a late run still reminds)."""
    horizon = today + timedelta(days=setting("REMINDER_CHECKPOINT_DAYS"))
    latest = (select(Checkpoint.rental_id, func.max(Checkpoint.date).label("last_date"))
              .group_by(Checkpoint.rental_id).subquery())
    rows = db.session.execute(
        select(Rental, Checkpoint)
        .join(latest, latest.c.rental_id == Rental.id)
        .join(Checkpoint, (Checkpoint.rental_id == Rental.id)
              & (Checkpoint.date == latest.c.last_date))
        .where(Rental.status == "in_progress", Checkpoint.next_date.is_not(None),
               Checkpoint.next_date >= today, Checkpoint.next_date <= horizon)
        .options(joinedload(Rental.beneficiary),
                 joinedload(Rental.vehicle).joinedload(Vehicle.site))
        .order_by(Rental.id)).unique()
    for rental, checkpoint in rows:
        site = rental.vehicle.site if rental.vehicle else None
        yield Reminder(
            kind="checkpoint_reminder",
            key=f"rental:{rental.id}:checkpoint:{checkpoint.next_date}",
            recipients=[rental.beneficiary], platform_id=rental.platform_id,
            advisor_id=rental.advisor_id, about=("rental", rental.id),
            context={"checkpoint_date": checkpoint.next_date,
                     "place": site.name if site else None,
                     "link": absolute_link("dashboard.home")},
        )
