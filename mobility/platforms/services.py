"""Platform settings changed by people: the lender identity named on the provision contracts.
One home for the rule, called by the CLI (`flask platforms identity`) and the admin page."""

from __future__ import annotations

from mobility.audit.services import record_audit
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.platforms.models import Platform
from mobility.platforms.siret import clean_siret


def set_lender_identity(platform: Platform, *, legal_name: str, address: str, siret: str,
                        actor=None) -> Platform:
    """The association named as lender on the provision contracts: name, address, SIRET
    (checked by `clean_siret`). Nothing is changed unless all three are valid; the change is
    audited (field names only) when an actor is given."""
    legal_name, address, siret = legal_name or "", address or "", siret or ""
    errors = {}
    if not legal_name.strip():
        errors["legal_name"] = _l("Give the association's name.")
    if not address.strip():
        errors["address"] = _l("Give the association's address.")
    try:
        siret = clean_siret(siret) or ""
    except ValidationFailed as error:
        errors.update(error.details)
    if not siret and "siret" not in errors:
        errors["siret"] = _l("A SIRET number has 14 digits and a valid check key.")
    if errors:
        raise ValidationFailed(details=errors)
    platform.legal_name = " ".join(legal_name.split())[:200]
    platform.legal_address = " ".join(address.split())[:300]
    platform.siret = siret.replace(" ", "")
    if actor is not None:
        record_audit(actor, "update", object_type="Platform", object_id=platform.id,
                     platform_id=platform.id, fields=["legal_name", "legal_address", "siret"])
    db.session.commit()
    return platform
