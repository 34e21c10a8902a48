"""Demo public transport and commute checks (idempotent).

The demo platform gets the bus and train lines of its OpenStreetMap extract (Monaco's buses 1,
2, 4, 5, 6 and the coastal TER, extracted into the routing cache at setup) with illustrative
timetables an admin can change on *Lignes de transport en commun*; the commute checks then
judge public transport on them. Then one stored check for three demo people with addresses.
Nothing is done without the extract's lines, demo beneficiaries or a road network.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from mobility.auth.models import User
from mobility.commute import transit_lines
from mobility.commute.beneficiaries import run_check_for_beneficiary
from mobility.commute.context import is_configured
from mobility.commute.models import CommuteCheck, TransitLine
from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.people.models import Beneficiary

log = logging.getLogger(__name__)

#: (first name, last name, overrides) of the demo people whose commute is checked: Julien
#: (Beausoleil → Casino, 6:00–14:00), Thomas (Cap-d'Ail → Fontvieille, 5:00–12:00) and
#: Yasmine (Roquebrune-Cap-Martin → Larvotto, a night shift 22:00–05:00).
DEMO_PEOPLE = (("Julien", "Moreau", {}),
               ("Thomas", "Bianchi", {}),
               ("Yasmine", "Chaabane", {}))


_BUS = {"first": "05:30", "last": "21:30", "headway_min": 12, "days": [0, 1, 2, 3, 4, 5]}
#: illustrative timetables per line number (not the operators' published ones)
DEMO_TIMETABLES = {"1": _BUS, "2": _BUS, "4": {**_BUS, "headway_min": 15},
                   "5": {**_BUS, "headway_min": 15}, "6": {**_BUS, "headway_min": 20},
                   "TER 4": {"first": "05:10", "last": "23:40", "headway_min": 30,
                             "days": [0, 1, 2, 3, 4, 5, 6]}}


def load_lines(platform) -> None:
    """Give the platform the extract's lines with the demo's timetables, once."""
    has_lines = db.session.scalar(select(func.count(TransitLine.id)).where(
        TransitLine.platform_id == platform.id))
    if has_lines:
        transit_lines.rebuild_feed(platform.id)  # the feed lives in the instance folder
        return
    if transit_lines.osm_line_groups():
        transit_lines.add_osm_lines(None, platform.id, timetables=DEMO_TIMETABLES)


def load(platform) -> None:
    """Public-transport lines, then a commute check for the demo people of `platform` that
    have none yet."""
    load_lines(platform)
    if not is_configured():
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
            run_check_for_beneficiary(advisor, person, **overrides)
        except DomainError as error:
            db.session.rollback()
            log.info("demo commute check skipped for %s: %s", first, error.code)
