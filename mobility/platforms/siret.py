"""SIRET numbers (the INSEE's establishment number: SIREN + NIC, Luhn checksum), checked with
python-stdnum (`stdnum.fr.siret`)."""

from __future__ import annotations

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as stdnum_siret

from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l


def clean_siret(value: str | None, field: str = "siret") -> str | None:
    """The 14 digits of a valid SIRET (spaces allowed in input), None when empty; a 400 with a
    clear message otherwise."""
    if value is None or not str(value).strip():
        return None
    try:
        return stdnum_siret.validate(str(value))
    except StdnumError:
        raise ValidationFailed(details={field: _l(
            "This SIRET is not valid: 14 digits, as on the INSEE's register (avis de "
            "situation SIRENE).")}) from None
