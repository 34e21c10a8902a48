"""Deposit card holds close to expiry: the capture-or-release decision goes to the advisor;
then the payments feature's own renewal/release of the holds that are about to lapse."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fleet.models import Rental
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.core.translations import ngettext
from mobility.notifications.rendering import absolute_link
from mobility.notifications.settings import setting
from mobility.payments.models import Deposit
from mobility.payments.services import handle_expiring_holds
from mobility.scheduling.jobs._recipients import StaffCache
from mobility.scheduling.registry import Reminder, reminder_job, scheduled_job


@reminder_job("deposit_holds_expiring", label=_l("Deposit holds close to expiry"),
              daily_minute=35)
def deposit_holds_expiring(today, now):
    """Held deposits whose hold lapses within REMINDER_DEPOSIT_DAYS days."""
    staff = StaffCache()
    horizon = now + timedelta(days=setting("REMINDER_DEPOSIT_DAYS"))
    deposits = db.session.scalars(
        select(Deposit).where(Deposit.status == "held", Deposit.hold_expires_at.is_not(None),
                              Deposit.hold_expires_at <= horizon)
        .options(joinedload(Deposit.rental).joinedload(Rental.beneficiary),
                 joinedload(Deposit.rental).joinedload(Rental.advisor))
        .order_by(Deposit.id))
    for deposit in deposits:
        rental = deposit.rental
        yield Reminder(
            kind="deposit_expiring",
            key=f"deposit:{deposit.id}:hold_expiry:{local_today(deposit.hold_expires_at)}",
            recipients=staff.advisor_or_all(deposit.platform_id, rental.advisor),
            platform_id=deposit.platform_id, advisor_id=rental.advisor_id,
            about=("deposit", deposit.id),
            context={"beneficiary_name": rental.beneficiary.full_name,
                     "amount_cents": deposit.amount_cents,
                     "expires_at": deposit.hold_expires_at,
                     "link": absolute_link("fleet.rental", rental_id=rental.id)},
        )


@scheduled_job("deposit_holds_renewal", label=_l("Renew or release card holds about to lapse"),
               every_s=3600, order=40)
def deposit_holds_renewal(now) -> str:
    """`mobility.payments.services.handle_expiring_holds`: idempotent Stripe operations."""
    decisions = handle_expiring_holds(now)
    outcomes = [d.outcome for d in decisions]
    summary = ngettext("%(num)d card hold handled", "%(num)d card holds handled", len(decisions))
    return f"{summary} ({', '.join(sorted(set(outcomes)))})" if outcomes else summary
