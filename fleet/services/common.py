"""What every fleet service shares: the hooks the web layer installs, the audit call, records
of the platform, the field and beneficiary checks.

`fleet` imports nothing from `mobility` but `mobility.core`. What it needs from other packages
comes through hooks set by the web layer at start-up (`mobility.fleet_web.models`):

- `audit_hook`: `mobility.audit.services.record_audit` (its signature); services call it
  inside their transaction;
- `beneficiary_hook(beneficiary_id, platform_id) -> bool`: whether the person exists on the
  platform (people are `mobility.people`'s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l

#: set by the web layer to `mobility.audit.services.record_audit`
audit_hook: Callable[..., Any] | None = None
#: set by the web layer: does this beneficiary exist on this platform?
beneficiary_hook: Callable[[int, int], bool] | None = None


def audit(actor, action: str, obj, fields: Iterable[str] | None = None) -> None:
    """Record a change in the audit log (through `audit_hook`), when an actor made it."""
    if audit_hook is not None and actor is not None:
        audit_hook(actor, action, object_type=type(obj).__name__, object_id=obj.id,
                   platform_id=obj.platform_id, fields=fields)


def of_platform(model, object_id: int | None, platform_id: int, field: str, message):
    """A record of the platform, or a 400 with `message` on `field`."""
    obj = db.session.get(model, object_id) if object_id is not None else None
    if obj is None or obj.platform_id != platform_id:
        raise ValidationFailed(details={field: message})
    return obj


def beneficiary_on_platform(beneficiary_id: int | None, platform_id: int,
                            field: str = "beneficiary_id") -> int:
    """The beneficiary's id when they exist on the platform, or a 400 on `field`."""
    if beneficiary_hook is None:
        raise RuntimeError("fleet.services.common.beneficiary_hook is not set "
                           "(mobility.fleet_web.models sets it)")
    if beneficiary_id is None or not beneficiary_hook(beneficiary_id, platform_id):
        raise ValidationFailed(details={field: _l("This beneficiary does not exist.")})
    return beneficiary_id


def is_exclusion_violation(error: IntegrityError) -> bool:
    """Whether PostgreSQL's no-overlap constraint refused a rental."""
    orig = error.orig
    return getattr(orig, "sqlstate", None) == "23P01" or "ex_fleet_rentals_no_overlap" in str(orig)


def check_fields(fields: dict, allowed: set[str]) -> None:
    """A 400 on each field that is not expected."""
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationFailed(details={name: _l("This field is not expected.")
                                        for name in sorted(unknown)})


def blank_errors(**values: str | None) -> dict:
    """"This field is required." on each of `values` left blank, in the order given."""
    return {name: _l("This field is required.") for name, value in values.items()
            if not (value or "").strip()}


def locked(model, object_id: int):
    """The row, locked for the transaction (SELECT ... FOR UPDATE; SQLite's BEGIN IMMEDIATE
    already holds the write lock) and read afresh."""
    return db.session.scalars(select(model).where(model.id == object_id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def free_seat_number(taken: set[int], capacity: int) -> int | None:
    """The lowest seat number not taken, or None when every seat is."""
    return next((n for n in range(1, capacity + 1) if n not in taken), None)
