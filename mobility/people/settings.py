"""A platform's people settings: its scoring and eligibility overrides of the defaults in code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mobility.audit.services import record_audit
from mobility.core.db import db, read_once
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people import eligibility as rules
from mobility.people import grid
from mobility.people.models import PeopleSettings


def settings_config(platform_id: int) -> dict[str, Any]:
    """The platform's overrides as saved (read once per transaction: a person's file reads
    them for each scheme's eligibility, the scoring and the AMIE limit)."""
    def read() -> dict[str, Any]:
        row = db.session.scalar(select(PeopleSettings)
                                .where(PeopleSettings.platform_id == platform_id))
        return dict(row.config or {}) if row else {}

    return dict(read_once(("people_settings", platform_id), read))


def scoring_for(platform_id: int) -> dict[str, Any]:
    """The platform's scoring: defaults in code with its overrides."""
    return grid.merged_scoring(settings_config(platform_id).get("scoring"))


def eligibility_config_for(platform_id: int) -> dict[str, Any]:
    return rules.merged_eligibility(settings_config(platform_id).get("eligibility"))


def update_settings(actor, config: Any) -> PeopleSettings:
    """Replace a platform's overrides `{"scoring": {...}, "eligibility": {...}}`."""
    if not isinstance(config, dict):
        raise ValidationFailed(details={"config": _l("Must be an object.")})
    errors: dict[str, Any] = {}
    for key in config:
        if key not in ("scoring", "eligibility"):
            errors[key] = _l("This field is not expected.")
    errors.update({f"scoring.{k}": v
                   for k, v in grid.validate_scoring(config.get("scoring", {})).items()})
    errors.update({f"eligibility.{k}": v
                   for k, v in rules.validate_eligibility(config.get("eligibility", {})).items()})
    if errors:
        raise ValidationFailed(details=errors)
    row = db.session.scalar(
        select(PeopleSettings).where(PeopleSettings.platform_id == actor.platform_id))
    if row is None:
        row = PeopleSettings(platform_id=actor.platform_id)
        db.session.add(row)
    row.config = config
    db.session.flush()
    record_audit(actor, "update", object_type="PeopleSettings", object_id=row.id,
                 fields=sorted(config))
    db.session.commit()
    return row


def amie_max_months(platform_id: int) -> int:
    """The platform's limit of AMIE months per person (the one source of truth)."""
    return int(eligibility_config_for(platform_id)["amie"]["max_rental_months"])
