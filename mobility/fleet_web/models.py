"""The fleet tables (for the migrations), and what the fleet services ask of the app: the
people (`beneficiary_on_platform`); `mobility.fleet_web.feature.init_app` plugs it and the audit
log into `fleet.services.common`."""

from sqlalchemy import select

from fleet import models as fleet_models  # noqa: F401  (tables)
from mobility.core.db import db
from mobility.people.models import Beneficiary


def beneficiary_on_platform(beneficiary_id: int, platform_id: int) -> bool:
    """Whether the beneficiary exists on the platform (`fleet.services.common.beneficiary_hook`)."""
    return db.session.execute(
        select(Beneficiary.id).where(Beneficiary.id == beneficiary_id,
                                     Beneficiary.platform_id == platform_id)
    ).first() is not None
