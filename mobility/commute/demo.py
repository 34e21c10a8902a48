"""Demo commute checks: one stored check for two demo people with addresses (idempotent).

Does nothing when there are no demo beneficiaries or no road network is set up.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from mobility.auth.models import User
from mobility.commute import services
from mobility.commute.models import CommuteCheck
from mobility.errors import DomainError
from mobility.extensions import db
from mobility.people.models import Beneficiary

log = logging.getLogger(__name__)

#: (first name, last name, overrides) of the demo people whose commute is checked: Julien
#: (Beausoleil → Casino, 6:00–14:00), Thomas (Cap-d'Ail → Fontvieille, 5:00–12:00) and
#: Yasmine (Roquebrune-Cap-Martin → Larvotto, a night shift 22:00–05:00).
DEMO_PEOPLE = (("Julien", "Moreau", {}),
               ("Thomas", "Bianchi", {}),
               ("Yasmine", "Chaabane", {}))


def load(platform) -> None:
    """Store a commute check for the demo people of `platform` that have none yet."""
    if not services.is_configured():
        return
    advisor = db.session.scalar(select(User).where(
        User.platform_id == platform.id, User.role == "advisor").order_by(User.id))
    for first, last, overrides in DEMO_PEOPLE:
        person = db.session.scalar(select(Beneficiary).where(
            Beneficiary.platform_id == platform.id, Beneficiary.first_name == first,
            Beneficiary.last_name == last))
        if person is None or not (person.address and person.workplace_address):
            continue
        already = db.session.scalar(select(func.count(CommuteCheck.id)).where(
            CommuteCheck.beneficiary_id == person.id))
        if already:
            continue
        try:
            services.run_check_for_beneficiary(advisor, person, **overrides)
        except DomainError as error:
            db.session.rollback()
            log.info("demo commute check skipped for %s: %s", first, error.code)
