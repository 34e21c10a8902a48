"""Checkpoint reminders to the beneficiary (the day before, configurable)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from fleet.models import Rental, Vehicle
from mobility.checkpoints.models import Checkpoint
from mobility.checkpoints.services import default_next_date
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.rendering import absolute_link
from mobility.notifications.settings import setting
from mobility.pricing.models import RentalTerms
from mobility.scheduling.registry import Reminder, reminder_job


def _first_checkpoints(today, horizon):
    """Rentals in progress with no checkpoint yet: the first one falls a week (a month for
    AMIE) after the hand-over."""
    has_checkpoint = select(Checkpoint.id).where(Checkpoint.rental_id == Rental.id).exists()
    rows = db.session.execute(
        select(Rental, RentalTerms.scheme)
        .outerjoin(RentalTerms, RentalTerms.rental_id == Rental.id)
        .where(Rental.status == "in_progress", ~has_checkpoint,
               Rental.checked_out_at.is_not(None))
        .options(joinedload(Rental.beneficiary),
                 joinedload(Rental.vehicle).joinedload(Vehicle.site))
        .order_by(Rental.id)).unique()
    for rental, scheme in rows:
        kind = "monthly" if scheme == "amie" else "weekly"
        first = default_next_date(kind, rental.checked_out_at.astimezone(PARIS).date())
        if today <= first <= horizon and first < rental.end_date:
            yield rental, first


PARIS = ZoneInfo("Europe/Paris")


@reminder_job("checkpoint_reminders", label=_l("Checkpoint reminders"), daily_minute=30)
def checkpoint_reminders(today, now):
    """Rentals in progress whose next checkpoint falls within REMINDER_CHECKPOINT_DAYS days
    (today included: a late run still reminds): the date the latest checkpoint set, or for
    the first one a week (a month, AMIE) after the hand-over."""
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
    due = [(rental, checkpoint.next_date, checkpoint) for rental, checkpoint in rows]
    due += [(rental, day, None) for rental, day in _first_checkpoints(today, horizon)]
    for rental, next_date, checkpoint in due:
        site = rental.vehicle.site if rental.vehicle else None
        place = site.name if site else None
        when = None
        if checkpoint is not None:  # the time and place set at the last checkpoint
            if checkpoint.next_site is not None:
                place = checkpoint.next_site.name
            elif checkpoint.next_place:
                place = checkpoint.next_place
            if checkpoint.next_time is not None:
                when = checkpoint.next_time.strftime("%H:%M")
        yield Reminder(
            kind="checkpoint_reminder",
            key=f"rental:{rental.id}:checkpoint:{next_date}",
            recipients=[rental.beneficiary], platform_id=rental.platform_id,
            advisor_id=rental.advisor_id, about=("rental", rental.id),
            context={"checkpoint_date": next_date, "time": when, "place": place,
                     "link": absolute_link("dashboard.home")},
        )
