"""Register the fleet tables and plug the audit log and the people into the fleet services."""

from sqlalchemy import select

from fleet import models as fleet_models  # noqa: F401  (tables)
from fleet.services import common as fleet_hooks
from mobility.audit.services import record_audit
from mobility.core.db import db
from mobility.people.models import Beneficiary


def beneficiary_on_platform(beneficiary_id: int, platform_id: int) -> bool:
    """Whether the beneficiary exists on the platform (`fleet.services.common.beneficiary_hook`)."""
    return db.session.execute(
        select(Beneficiary.id).where(Beneficiary.id == beneficiary_id,
                                     Beneficiary.platform_id == platform_id)
    ).first() is not None


fleet_hooks.audit_hook = record_audit
fleet_hooks.beneficiary_hook = beneficiary_on_platform
