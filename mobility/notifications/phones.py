"""French phone numbers: validation and normalisation to E.164 (`+33612345678`)."""

from __future__ import annotations

import re

#: overseas departments: national mobile prefix -> country calling code
OVERSEAS_MOBILE_PREFIXES = {
    "0690": "+590", "0691": "+590",  # Guadeloupe, Saint-Martin, Saint-Barthélemy
    "0694": "+594",  # Guyane
    "0696": "+596", "0697": "+596",  # Martinique
    "0692": "+262", "0693": "+262",  # La Réunion
    "0639": "+262",  # Mayotte
}
#: overseas landline prefixes -> country calling code
OVERSEAS_LANDLINE_PREFIXES = {
    "0590": "+590", "0594": "+594", "0596": "+596", "0262": "+262", "0269": "+262",
}
OVERSEAS_CODES = ("+590", "+594", "+596", "+262")
_NATIONAL = re.compile(r"^0[1-9]\d{8}$")


class InvalidPhoneNumber(ValueError):
    """Not a French phone number (metropolitan or overseas)."""


def _national_form(raw: str) -> str:
    text = (raw or "").strip().replace("(0)", "")
    text = re.sub(r"[\s.\-/()\u00a0]", "", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+33"):
        rest = text[3:]
        return rest if rest.startswith("0") else "0" + rest
    for code in OVERSEAS_CODES:
        if text.startswith(code):
            rest = text[len(code):]
            return rest if rest.startswith("0") else "0" + rest
    if text.startswith("+"):
        raise InvalidPhoneNumber(raw)
    return text


def normalise_phone(raw: str | None) -> str:
    """`06 12 34 56 78`, `+33 (0)6 12 34 56 78`, `0033612345678` -> `+33612345678`.

    Raises `InvalidPhoneNumber` for anything that is not a French number of 10 digits.
    """
    if not raw or not raw.strip():
        raise InvalidPhoneNumber(raw)
    national = _national_form(raw)
    if not _NATIONAL.match(national):
        raise InvalidPhoneNumber(raw)
    prefix = national[:4]
    code = OVERSEAS_MOBILE_PREFIXES.get(prefix) or OVERSEAS_LANDLINE_PREFIXES.get(prefix) or "+33"
    return code + national[1:]


def is_mobile(e164: str) -> bool:
    """Whether an E.164 French number (from `normalise_phone`) can receive text messages."""
    if e164.startswith("+33"):
        return e164[3] in "67"
    return any(e164.startswith(code + national[1:])
               for national, code in OVERSEAS_MOBILE_PREFIXES.items())


def normalise_mobile(raw: str | None) -> str:
    """Like `normalise_phone`, and refuses landlines (they cannot receive SMS)."""
    number = normalise_phone(raw)
    if not is_mobile(number):
        raise InvalidPhoneNumber(raw)
    return number
