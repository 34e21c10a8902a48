"""Driving licences and minimum ages: which licence a vehicle needs, and whether a person
holds it. Pure functions: data in, a refusal (or None) out.

Legal rules (French road code, checked against the official pages cited next to each rule):
no override lifts them, because a vehicle driven without the licence its class needs is not
insured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from mobility.core.translations import lazy_gettext as _l

#: licence categories we lend vehicles for, from the lightest
LICENCE_CATEGORIES = ("AM", "A1", "A2", "A", "B")
LICENCE_LABELS = {
    "AM": _l("AM licence (moped, 50 cm³ scooter)"), "A1": _l("A1 licence (125 cm³)"),
    "A2": _l("A2 licence (motorcycle up to 35 kW)"), "A": _l("A licence (motorcycle)"),
    "B": _l("B licence (car)"),
}

# Code de la route, art. R221-5: minimum ages — AM 14, A1 16, A2 18, A 20 (after two years of
# A2) or 24, B 18 (17 since the décret n° 2023-1265, but then under the same conditions).
MIN_AGE = {"AM": 14, "A1": 16, "A2": 18, "A": 20, "B": 17}

# Code de la route, art. R221-8 and service-public.fr F2765: the A1, A2, A and B licences also
# entitle their holder to drive the vehicles of category AM; A2 includes A1, A includes A2 and A1.
INCLUDES = {
    "AM": {"AM"},
    "A1": {"A1", "AM"},
    "A2": {"A2", "A1", "AM"},
    "A": {"A", "A2", "A1", "AM"},
    "B": {"B", "AM"},
}

# service-public.fr F2765 (permis AM): a person born before 1 January 1988 may drive a moped
# (cyclomoteur, 50 cm³ / 45 km/h) without any licence.
AM_NOT_NEEDED_BORN_BEFORE = date(1988, 1, 1)

# Code de la route, art. R221-8 II and arrêté du 17 décembre 2010; service-public.fr F2828:
# the holder of a B licence for at least two years may ride a 125 cm³ (category A1) after a
# 7-hour training course.
B_FOR_A1_YEARS = 2

#: the engine size up to which a two-wheeler is a moped (cyclomoteur, category AM)
MOPED_MAX_CC = 50
#: the engine size up to which a motorcycle is a light motorcycle (category A1)
LIGHT_MOTORCYCLE_MAX_CC = 125


def required_category(kind: str, engine_cc: int | None = None) -> str | None:
    """The licence category a vehicle needs, from its kind and engine class.

    None for bikes and e-bikes (pedal-assisted up to 25 km/h are cycles, art. R311-1); AM for
    mopeds and scooters up to 50 cm³ / 45 km/h; A1 up to 125 cm³, A2 above; B for cars.
    """
    if kind in ("bike", "e_bike"):
        return None
    if kind == "car":
        return "B"
    if engine_cc is None or engine_cc <= MOPED_MAX_CC:
        return "AM"
    if engine_cc <= LIGHT_MOTORCYCLE_MAX_CC:
        return "A1"
    return "A2"


@dataclass(frozen=True)
class Licence:
    """One licence held: its category, when it was obtained, its validity, a suspension."""

    category: str
    obtained_on: date | None = None
    valid_until: date | None = None
    suspended: bool = False
    #: the 7-hour training that lets a B holder of two years ride a 125 cm³
    a1_training: bool = False

    def in_force(self, on: date) -> bool:
        """A suspended or expired licence counts as none."""
        if self.suspended:
            return False
        return self.valid_until is None or self.valid_until >= on

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category,
                "obtained_on": self.obtained_on.isoformat() if self.obtained_on else None,
                "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "suspended": self.suspended, "a1_training": self.a1_training}


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def parse_licences(items: Any, *, today: date | None = None) -> list[Licence]:
    """Check a list of `{"category", "obtained_on", "valid_until"?, "suspended"?}`; raises
    `ValueError` with a field and message (`LicenceError`) on bad input."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise LicenceError("licences", _l("Give a list of licences."))
    out: list[Licence] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        licence = _parse_licence(item, f"licences.{index}", today, seen)
        seen.add(licence.category)
        out.append(licence)
    return out


LICENCE_FIELDS = {"category", "obtained_on", "valid_until", "suspended", "a1_training"}


def _parse_licence(item: Any, field: str, today: date | None, seen: set[str]) -> Licence:
    """One licence of the list, checked; `field` is its place (`licences.0`), `seen` the
    categories listed before it."""
    if not isinstance(item, dict):
        raise LicenceError(field, _l("Each licence is an object with a category."))
    unknown = set(item) - LICENCE_FIELDS
    if unknown:
        raise LicenceError(f"{field}.{sorted(unknown)[0]}", _l("This field is not expected."))
    category = item.get("category")
    if category not in LICENCE_CATEGORIES:
        raise LicenceError(f"{field}.category",
                           _l("Unknown licence category: AM, A1, A2, A or B."))
    if category in seen:
        raise LicenceError(f"{field}.category", _l("This licence is listed twice."))
    obtained, valid_until = _licence_dates(item, field, today)
    for flag in ("suspended", "a1_training"):
        if not isinstance(item.get(flag, False), bool):
            raise LicenceError(f"{field}.{flag}", _l("Must be true or false."))
    return Licence(category, obtained, valid_until, bool(item.get("suspended", False)),
                   bool(item.get("a1_training", False)))


def _licence_dates(item: dict, field: str, today: date | None) -> tuple[date | None, date | None]:
    """The dates a licence was obtained and is valid until, checked."""
    try:
        obtained, valid_until = _date(item.get("obtained_on")), _date(item.get("valid_until"))
    except (TypeError, ValueError):
        raise LicenceError(field, _l("Enter dates as YYYY-MM-DD.")) from None
    if obtained is not None and today is not None and obtained > today:
        raise LicenceError(f"{field}.obtained_on",
                           _l("The date the licence was obtained cannot be in the future."))
    if obtained is not None and obtained.year < 1900:
        raise LicenceError(f"{field}.obtained_on", _l("This date is too far in the past."))
    if obtained and valid_until and valid_until < obtained:
        raise LicenceError(f"{field}.valid_until",
                           _l("The end of validity must be after the date obtained."))
    return obtained, valid_until


class LicenceError(ValueError):
    """Bad licence input; `field` names what to correct."""

    def __init__(self, field: str, message: Any):
        super().__init__(message)
        self.field = field
        self.message = message


def licences_from_json(items: Any) -> list[Licence]:
    """The stored list (already checked) as `Licence` objects; bad rows are skipped."""
    out = []
    for item in items or []:
        try:
            out.extend(parse_licences([item]))
        except LicenceError:
            continue
    return out


def _years_between(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


@dataclass(frozen=True)
class LicenceRefusal:
    """Why a person may not drive a vehicle: a stable code and what to do next."""

    code: str  # licence_required, too_young
    message: Any
    category: str


def licence_refusal(licences: list[Licence], *, birth_date: date | None, category: str | None,
                    on: date) -> LicenceRefusal | None:
    """None when the person may drive a vehicle of `category` on `on`, else the refusal."""
    if category is None:
        return None
    too_young = _age_refusal(birth_date, category, on)
    if too_young is not None:
        return too_young
    if category == "AM" and birth_date < AM_NOT_NEEDED_BORN_BEFORE:
        return None
    if _entitled(licences, category, on):
        return None
    return LicenceRefusal("licence_required", _missing_licence(licences, category, on),
                          category)


def _age_refusal(birth_date: date | None, category: str, on: date) -> LicenceRefusal | None:
    """The refusal when the birth date is unknown or below the category's minimum age."""
    if birth_date is None:
        return LicenceRefusal("too_young", _l(
            "Record the person's birth date: the minimum age for this vehicle cannot be checked."),
            category)
    age = _years_between(birth_date, on)
    if age < MIN_AGE[category]:
        return LicenceRefusal("too_young", _l(
            "The person is %(age)s: this vehicle needs a %(category)s licence, from the age of "
            "%(min_age)s. Choose a bike or an e-bike.",
            age=age, category=category, min_age=MIN_AGE[category]), category)
    return None


def _entitled(licences: list[Licence], category: str, on: date) -> bool:
    """Whether a licence in force covers `category` (a B of two years with the training: A1)."""
    held = [item for item in licences if item.in_force(on)]
    if any(category in INCLUDES[item.category] for item in held):
        return True
    return category == "A1" and any(
        item.category == "B" and item.a1_training and item.obtained_on is not None
        and _years_between(item.obtained_on, on) >= B_FOR_A1_YEARS for item in held)


def _missing_licence(licences: list[Licence], category: str, on: date) -> Any:
    """What to do when no licence covers `category`: renew a lapsed one, or record one."""
    lapsed = [item for item in licences if not item.in_force(on)
              and category in INCLUDES[item.category]]
    if lapsed:
        return _l("The person's %(category)s licence is suspended or expired: a vehicle that "
                  "needs it cannot be lent. Record the licence's new validity once it is "
                  "back.", category=lapsed[0].category)
    if category == "A1":
        return _l("Record the person's A1 licence (or a B licence held two years with the "
                  "7-hour training).")
    return _l("Record the person's %(category)s licence (date obtained) on their file.",
              category=category)
