"""The progressive plan (AMIE): each month's new price, and at month 5 the microcredit
proposal, to the advisor."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fleet.models import Rental
from mobility.core.dates import add_months
from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.rendering import absolute_link
from mobility.notifications.settings import setting
from mobility.pricing.amie import amie_first_months, amie_max_months
from mobility.pricing.engine import amie_month_price
from mobility.pricing.models import RentalTerms
from mobility.scheduling.jobs._recipients import StaffCache
from mobility.scheduling.registry import Reminder, reminder_job


@reminder_job("progressive_plan", label=_l("Progressive plan: monthly steps and microcredit"),
              daily_minute=10)
def progressive_plan(today, now):
    """Months 2..5 of AMIE rentals starting within REMINDER_PLAN_STEP_DAYS days (or started
    within REMINDER_CATCH_UP_DAYS days)."""
    staff = StaffCache()
    lead = timedelta(days=setting("REMINDER_PLAN_STEP_DAYS"))
    oldest = today - timedelta(days=setting("REMINDER_CATCH_UP_DAYS"))
    rows = db.session.execute(
        select(Rental, RentalTerms).join(RentalTerms, RentalTerms.rental_id == Rental.id)
        .where(RentalTerms.scheme == "amie", Rental.status.in_(("booked", "in_progress")),
               Rental.end_date > oldest)
        .options(joinedload(Rental.beneficiary), joinedload(Rental.advisor))
        .order_by(Rental.id)).unique().all()
    first_months = amie_first_months([rental for rental, _terms in rows])
    for rental, terms in rows:
        recipients = staff.advisor_or_all(rental.platform_id, rental.advisor)
        link = absolute_link("fleet.rental", rental_id=rental.id)
        limit = amie_max_months(rental.platform_id)
        first = first_months[rental.id]
        for month in range(max(2, first + 1), limit + 1):
            # the person's month of the plan; this rental started at month `first`
            month_start = add_months(rental.start_date, month - first)
            if month_start >= rental.end_date or not oldest <= month_start <= today + lead:
                continue
            common = dict(recipients=recipients, platform_id=rental.platform_id,
                          advisor_id=rental.advisor_id, about=("rental", rental.id))
            context = {"beneficiary_name": rental.beneficiary.full_name, "month": month,
                       "month_start": month_start, "end_date": rental.end_date,
                       "price_cents": amie_month_price(terms.tariff_rates(), month,
                                                       terms.resources_band),
                       "link": link}
            yield Reminder(kind="amie_monthly_step", key=f"rental:{rental.id}:amie_month:{month}",
                           context=context, **common)
            if month == limit:
                yield Reminder(kind="amie_microcredit", key=f"rental:{rental.id}:amie_microcredit",
                               context=context, **common)
