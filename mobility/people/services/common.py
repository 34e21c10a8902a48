"""The small pieces the people services share: a pathway opened, the open one, a day checked."""

from __future__ import annotations

from datetime import date

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people.models import Beneficiary, Pathway

NOT_A_CHOICE = _l("This value is not one of the allowed choices.")


def open_pathway_of(beneficiary: Beneficiary) -> Pathway:
    """The person's pathway in progress, or a 409 (`no_open_pathway`)."""
    pathway = beneficiary.open_pathway
    if pathway is None:
        raise Conflict(_l("This person has no pathway in progress."), code="no_open_pathway")
    return pathway


def check_day(day: date | None, field: str, pathway: Pathway | None = None) -> date:
    """The day of a record (today by default): not in the future, not before the pathway."""
    day = day or local_today()
    if day > local_today():
        raise ValidationFailed(details={field: _l("This date cannot be in the future.")})
    if pathway is not None and day < pathway.opened_on:
        raise ValidationFailed(details={
            field: _l("This date is before the start of the pathway.")})
    return day


def new_pathway(actor, beneficiary: Beneficiary, opened_on: date) -> Pathway:
    """A pathway opened for the person, followed by `actor` (added, not flushed)."""
    pathway = Pathway(platform_id=beneficiary.platform_id, beneficiary=beneficiary,
                      advisor_id=actor.id, status="open", opened_on=opened_on)
    db.session.add(pathway)
    return pathway


def iso(value):
    """A date or datetime in ISO 8601, None as None (for the JSON of the files)."""
    return value.isoformat() if value is not None else None


