"""Phone numbers of any country, read with `phonenumbers` (Google's libphonenumber metadata).

Numbers are stored in E.164 (`+33612345678`), shown in national form when they belong to the
platform's country (or to the French numbering plan, overseas included) and in international
form otherwise. A national number typed with a French overseas mobile or landline prefix
(`0692…`, `0590…`) is read in that territory even when the platform's country is FR, because
libphonenumber would otherwise take `0692 12 34 56` for a metropolitan number.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
from sqlalchemy import select

from mobility.core.db import db, read_once
from mobility.core.translations import lazy_gettext as _l
from mobility.platforms.models import Platform

#: the territories that share the French numbering plan (dialled with a leading 0 from each
#: other; Saint-Pierre-et-Miquelon has its own, +508); source: ARCEP, plan national de
#: numérotation téléphonique.
FRENCH_PLAN = frozenset({"FR", "RE", "YT", "GP", "MQ", "GF", "BL", "MF"})

#: national prefixes of the overseas departments -> region (mobile then landline prefixes)
OVERSEAS_PREFIXES = {
    "0692": "RE", "0693": "RE", "0262": "RE", "0263": "RE",  # La Réunion
    "0639": "YT", "0269": "YT",  # Mayotte
    "0690": "GP", "0691": "GP", "0590": "GP",  # Guadeloupe, Saint-Martin, Saint-Barthélemy
    "0696": "MQ", "0697": "MQ", "0596": "MQ",  # Martinique
    "0694": "GF", "0594": "GF",  # Guyane
}
DEFAULT_REGION = "FR"
PHONE_INVALID = _l("This phone number is not valid. For a number from abroad, start with its "
                   "country code (+32, +39, +377…).")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class InvalidPhoneNumber(ValueError):
    """Not a valid phone number (in any country we can tell)."""


def default_region(platform_id: int | None = None) -> str:
    """The platform's country (ISO 3166 alpha-2) for numbers typed without `+` or `00`."""
    if platform_id is not None:
        # read once per transaction: a file shows several numbers, each formatted for it
        country = read_once(("platform_country", platform_id), lambda: db.session.scalar(
            select(Platform.country).where(Platform.id == platform_id)))
        if country:
            return country.upper()
    return DEFAULT_REGION


def _candidate_regions(raw: str, region: str) -> list[str]:
    digits = re.sub(r"\D", "", raw)
    regions = []
    if region in FRENCH_PLAN and not raw.lstrip().startswith(("+", "00")):
        hint = OVERSEAS_PREFIXES.get(digits[:4])
        if hint:
            regions.append(hint)
    regions.append(region)
    if region in FRENCH_PLAN and region != "FR":
        regions.append("FR")
    return regions


def parse_phone(raw: str | None, region: str | None = None) -> phonenumbers.PhoneNumber:
    """The valid number `raw` stands for; raises `InvalidPhoneNumber`.

    `region` is the country assumed for a national number (default: FR).
    """
    text = (raw or "").strip().replace("(0)", "")
    if not text or len(text) > 40:
        raise InvalidPhoneNumber(raw)
    region = (region or DEFAULT_REGION).upper()
    for candidate in _candidate_regions(text, region):
        try:
            number = phonenumbers.parse(text, candidate)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    raise InvalidPhoneNumber(raw)


def normalise_phone(raw: str | None, region: str | None = None) -> str:
    """`06 12 34 56 78`, `+377 6 12 34 56 78`, `0692 12 34 56` -> E.164; raises if invalid."""
    return phonenumbers.format_number(parse_phone(raw, region), PhoneNumberFormat.E164)


def is_mobile(value: str | None, region: str | None = None) -> bool:
    """Whether the number can receive text messages (a mobile, not a landline)."""
    try:
        number = parse_phone(value, region)
    except InvalidPhoneNumber:
        return False
    return phonenumbers.number_type(number) in _MOBILE_TYPES


def normalise_mobile(raw: str | None, region: str | None = None) -> str:
    """Like `normalise_phone`, and refuses landlines (they cannot receive SMS)."""
    number = parse_phone(raw, region)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def clean_phone(raw: str | None, region: str | None = None) -> str | None:
    """E.164 when `raw` is a valid number, None when empty, `raw` unchanged otherwise (the
    caller's validation then refuses it)."""
    if raw is None or not str(raw).strip():
        return None
    try:
        return normalise_phone(raw, region)
    except InvalidPhoneNumber:
        return str(raw).strip()


def display_phone(value: str | None, region: str | None = None) -> str:
    """How a page shows a number: national form in the platform's numbering plan
    (`06 12 34 56 78`, `0692 12 34 56`), international otherwise (`+377 6 12 34 56 78`)."""
    if not value:
        return ""
    try:
        number = parse_phone(value, region)
    except InvalidPhoneNumber:
        return value
    region = (region or DEFAULT_REGION).upper()
    own = phonenumbers.region_code_for_number(number)
    same_plan = own == region or (own in FRENCH_PLAN and region in FRENCH_PLAN)
    fmt = PhoneNumberFormat.NATIONAL if same_plan else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def match_key(value: str | None, region: str | None = None) -> str | None:
    """What two spellings of the same number share (E.164), for sign-in by phone; None when
    `value` is no valid number."""
    try:
        return normalise_phone(value, region)
    except InvalidPhoneNumber:
        return None
