"""Eligibility to the schemes (AMIE, Bougez): the facts the rules read, and overrides
with a written justification."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from mobility.audit.services import record_audit
from mobility.core.dates import local_today
from mobility.core.db import db, read_once
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.people import eligibility as rules
from mobility.people import needs
from mobility.people.models import SCHEMES, Beneficiary, EligibilityOverride, Referral
from mobility.people.settings import eligibility_config_for


def facts_of(beneficiary: Beneficiary, *, on: date | None = None,
             amie_months_used: int | None = None) -> rules.EligibilityFacts:
    """What the eligibility rules read about a person on `on` (a licence in force only)."""
    on = on or local_today()
    followed = beneficiary.referent_id is not None or bool(db.session.scalar(
        select(Referral.id).where(Referral.beneficiary_id == beneficiary.id,
                                  Referral.status == "accepted")))
    licence_b = next((item for item in beneficiary.held_licences()
                      if item.category == "B" and item.in_force(on)), None)
    return rules.EligibilityFacts(
        birth_date=beneficiary.birth_date, has_licence_b=licence_b is not None,
        licence_b_since=licence_b.obtained_on if licence_b else None,
        employment_kind=beneficiary.employment_kind, contract_type=beneficiary.contract_type,
        contract_start=beneficiary.contract_start, contract_end=beneficiary.contract_end,
        followed=followed, obstacles=list(beneficiary.obstacles or []),
        amie_months_used=needs.amie_months_used(beneficiary.id) if amie_months_used is None
        else amie_months_used,
    )


def override_in_force(beneficiary: Beneficiary, scheme: str, *, on: date | None = None
                      ) -> EligibilityOverride | None:
    """The latest override of the scheme for the person that still applies on `on`."""
    on = on or local_today()
    # the person's overrides of every scheme, read once per transaction (a file shows both)
    overrides = read_once(("eligibility_overrides", beneficiary.id), lambda: db.session.scalars(
        select(EligibilityOverride).where(EligibilityOverride.beneficiary_id == beneficiary.id)
        .order_by(EligibilityOverride.id.desc())).all())
    return next((item for item in overrides
                 if item.scheme == scheme and item.applies_on(on)), None)


def latest_override(beneficiary: Beneficiary, scheme: str) -> EligibilityOverride | None:
    return override_in_force(beneficiary, scheme)


def eligibility_for(beneficiary: Beneficiary, scheme: str, *, on: date | None = None,
                    amie_months_used: int | None = None) -> dict[str, Any]:
    """`{"eligible", "by_rules", "reasons", "override"}` for a scheme (amie or bougez) on `on`;
    `amie_months_used` replaces the person's count (e.g. with the rental being booked)."""
    if scheme not in SCHEMES:
        raise ValidationFailed(details={"scheme": _l("Unknown scheme: use amie or bougez.")})
    on = on or local_today()
    override = override_in_force(beneficiary, scheme, on=on)
    override_data = None
    if override is not None:
        override_data = {"id": override.id, "justification": override.justification,
                         "criteria": override.criteria,
                         "expires_on": override.expires_on.isoformat()
                         if override.expires_on else None,
                         "author": override.author.full_name if override.author else None,
                         "created_at": override.created_at.isoformat()}
    return rules.evaluate(scheme, facts_of(beneficiary, on=on,
                                           amie_months_used=amie_months_used), today=on,
                          config=eligibility_config_for(beneficiary.platform_id),
                          override=override_data)


MIN_JUSTIFICATION = 20


def _check_override(scheme: str, justification: str, expires_on: date | None) -> None:
    errors: dict[str, Any] = {}
    if scheme not in SCHEMES:
        errors["scheme"] = _l("Unknown scheme: use amie or bougez.")
    if len(justification) < MIN_JUSTIFICATION:
        errors["justification"] = _l("Write the justification (at least 20 characters).")
    if expires_on is not None and expires_on < local_today():
        errors["expires_on"] = _l("The end date cannot be in the past.")
    if errors:
        raise ValidationFailed(details=errors)


def _criteria_to_lift(beneficiary: Beneficiary, scheme: str,
                      criteria: list[str] | None) -> list[str]:
    """The criteria named, by default the ones the person fails today; known and not none."""
    if criteria is None:
        current = rules.evaluate(scheme, facts_of(beneficiary), today=local_today(),
                                 config=eligibility_config_for(beneficiary.platform_id))
        criteria = [r["criterion"] for r in current["reasons"] if not r["met"]]
    known = {code for code in rules.CRITERIA}
    unknown = [code for code in criteria if code not in known]
    if unknown:
        raise ValidationFailed(details={"criteria": _l("Unknown criterion: %(codes)s.",
                                                       codes=", ".join(unknown))})
    if not criteria:
        raise ValidationFailed(details={"criteria": _l(
            "Nothing to lift: the person meets every criterion of this scheme.")})
    return criteria


def override_eligibility(actor, beneficiary: Beneficiary, *, scheme: str, justification: str,
                         criteria: list[str] | None = None,
                         expires_on: date | None = None) -> EligibilityOverride:
    """Admit a person to a scheme despite some of its criteria, with a written justification.

    Scoped: it lifts the `criteria` named (by default the ones failed today). Dated: it lapses
    after `expires_on` (by default when the pathway ends). The scheme's criteria only: the legal
    conditions to drive (`fleet.licences`) are checked at booking and hand-over, and no
    override lifts them."""
    justification = (justification or "").strip()
    _check_override(scheme, justification, expires_on)
    criteria = _criteria_to_lift(beneficiary, scheme, criteria)
    pathway = beneficiary.open_pathway
    override = EligibilityOverride(platform_id=beneficiary.platform_id,
                                   beneficiary_id=beneficiary.id, scheme=scheme,
                                   justification=justification, author_id=actor.id,
                                   criteria=sorted(set(criteria)), expires_on=expires_on,
                                   pathway_id=pathway.id if pathway else None)
    db.session.add(override)
    db.session.flush()
    record_audit(actor, "create", object_type="EligibilityOverride", object_id=override.id,
                 fields=["scheme", "justification", "criteria", "expires_on"])
    db.session.commit()
    return override


