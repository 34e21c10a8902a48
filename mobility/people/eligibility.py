"""Eligibility rules per scheme, evaluated with a reason per criterion. Pure functions.

AMIE (car rental, Sedan): followed by an insertion organisation, aged 18 or more, licence B
held for more than one year, an employment contract of more than one month, and at most five
months of the plan already used (counted per person over all their AMIE rentals; this setting
is the one source of truth for the limit). An advisor may override a refusal with a written
justification, scoped to the criteria it lifts and dated.

"Bougez vers l'emploi" (La Ciotat): any person in insertion (followed by a partner
organisation) with at least one mobility obstacle.

The numbers are per-platform settings (`PeopleSettings.config["eligibility"]`), defaults below.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mobility.core.dates import add_months
from mobility.core.translations import gettext, ngettext
from mobility.core.translations import lazy_gettext as _l

DEFAULT_ELIGIBILITY: dict[str, dict[str, int]] = {
    "amie": {"min_age": 18, "min_licence_years": 1, "min_contract_months": 1,
             "max_rental_months": 5},
}
#: each criterion's label in the current locale, its figures from the scheme's settings
CRITERIA: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "followed": lambda p: gettext("Followed by an insertion organisation"),
    "min_age": lambda p: gettext("Aged %(min_age)s or more", min_age=p["min_age"]),
    "licence": lambda p: ngettext("Driving licence B held for more than %(num)d year",
                                  "Driving licence B held for more than %(num)d years",
                                  int(p["min_licence_years"])),
    "contract": lambda p: ngettext("Employment contract of more than %(num)d month",
                                   "Employment contract of more than %(num)d months",
                                   int(p["min_contract_months"])),
    "rental_left": lambda p: ngettext("At most %(num)d month of rental",
                                      "At most %(num)d months of rental",
                                      int(p["max_rental_months"])),
    "obstacle": lambda p: gettext("At least one mobility obstacle"),
}
FAILURES = {
    "followed": _l("No partner organisation or referent follows this person."),
    "birth_date_missing": _l("The birth date is not known."),
    "too_young": _l("Under the minimum age."),
    "no_licence": _l("No driving licence B."),
    "licence_date_missing": _l("The licence date is not known."),
    "licence_too_recent": _l("The licence is too recent."),
    "no_contract": _l("No employment contract recorded."),
    "contract_end_missing": _l("The contract's end date is not known."),
    "contract_too_short": _l("The contract is too short."),
    "rental_used_up": _l("The maximum rental duration is already used."),
    "no_obstacle": _l("No mobility obstacle recorded."),
}


@dataclass
class EligibilityFacts:
    """What the rules read about a person (built from the beneficiary file)."""

    birth_date: date | None = None
    has_licence_b: bool = False
    licence_b_since: date | None = None
    employment_kind: str | None = None
    contract_type: str | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    followed: bool = False
    obstacles: list[str] = field(default_factory=list)
    #: months of the AMIE plan the person has used or booked (all their AMIE rentals)
    amie_months_used: int = 0




def merged_eligibility(overrides: Mapping[str, Any] | None) -> dict[str, dict[str, int]]:
    config = copy.deepcopy(DEFAULT_ELIGIBILITY)
    for scheme, values in (overrides or {}).items():
        if scheme in config and isinstance(values, dict):
            for key, value in values.items():
                if key in config[scheme]:
                    config[scheme][key] = value
    return config


def validate_eligibility(config: Any) -> dict[str, Any]:
    """Check an eligibility override; returns {field: message}."""
    if not isinstance(config, dict):
        return {"eligibility": _l("Must be an object.")}
    errors: dict[str, Any] = {}
    for scheme, values in config.items():
        if scheme not in DEFAULT_ELIGIBILITY or not isinstance(values, dict):
            errors[scheme] = _l("This field is not expected.")
            continue
        for key, value in values.items():
            if key not in DEFAULT_ELIGIBILITY[scheme]:
                errors[f"{scheme}.{key}"] = _l("This field is not expected.")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors[f"{scheme}.{key}"] = _l("Must be a whole number.")
    return errors


def _criterion(code: str, met: bool, params: Mapping[str, Any], failure: str | None = None):
    """One criterion's result; labels and messages are rendered in the current locale."""
    return {"criterion": code, "met": met, "label": CRITERIA[code](params),
            "failure": None if met else failure,
            "message": None if met else str(FAILURES[failure])}


def evaluate_amie(facts: EligibilityFacts, *, today: date,
                  rules: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """The five AMIE criteria, each met or not with the failure's reason."""
    p = {**DEFAULT_ELIGIBILITY["amie"], **(rules or {})}
    out = [_criterion("followed", facts.followed, p, "followed")]

    if facts.birth_date is None:
        out.append(_criterion("min_age", False, p, "birth_date_missing"))
    else:
        out.append(_criterion("min_age", add_months(facts.birth_date, 12 * p["min_age"]) <= today,
                              p, "too_young"))

    if not facts.has_licence_b and facts.licence_b_since is None:
        out.append(_criterion("licence", False, p, "no_licence"))
    elif facts.licence_b_since is None:
        out.append(_criterion("licence", False, p, "licence_date_missing"))
    else:
        held_long_enough = add_months(facts.licence_b_since, 12 * p["min_licence_years"]) < today
        out.append(_criterion("licence", held_long_enough, p, "licence_too_recent"))

    if facts.employment_kind != "job" or facts.contract_start is None:
        out.append(_criterion("contract", False, p, "no_contract"))
    elif facts.contract_end is None:
        out.append(_criterion("contract", facts.contract_type == "permanent", p,
                              "contract_end_missing"))
    else:
        long_enough = facts.contract_end > add_months(facts.contract_start,
                                                      p["min_contract_months"])
        out.append(_criterion("contract", long_enough, p, "contract_too_short"))

    out.append(_criterion("rental_left", facts.amie_months_used < p["max_rental_months"],
                          p, "rental_used_up"))
    return out


def evaluate_bougez(facts: EligibilityFacts) -> list[dict[str, Any]]:
    """Bougez: in insertion (followed) and at least one mobility obstacle."""
    return [
        _criterion("followed", facts.followed, {}, "followed"),
        _criterion("obstacle", bool(facts.obstacles), {}, "no_obstacle"),
    ]


def evaluate(scheme: str, facts: EligibilityFacts, *, today: date,
             config: Mapping[str, Any] | None = None,
             override: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`{"scheme", "eligible", "by_rules", "reasons", "override"}` for one scheme.

    `eligible` is true when every criterion is met or lifted by an advisor's `override` in
    force (`{"criteria": [...] or None for all, ...}`: justification, author, dates);
    `by_rules` is the rules' answer. A lifted criterion's reason says `"overridden": true`.
    """
    rules = merged_eligibility(config)
    if scheme == "amie":
        reasons = evaluate_amie(facts, today=today, rules=rules["amie"])
    elif scheme == "bougez":
        reasons = evaluate_bougez(facts)
    else:
        raise ValueError(f"unknown scheme {scheme!r}")
    by_rules = all(r["met"] for r in reasons)
    lifted = None if override is None else override.get("criteria")
    for reason in reasons:
        reason["overridden"] = (not reason["met"] and override is not None
                                and (lifted is None or reason["criterion"] in lifted))
    eligible = all(r["met"] or r["overridden"] for r in reasons)
    return {"scheme": scheme, "eligible": eligible, "by_rules": by_rules, "reasons": reasons,
            "override": override}
