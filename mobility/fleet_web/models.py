"""Register the fleet tables and plug the audit log into the fleet services."""

from fleet import models as fleet_models  # noqa: F401  (tables)
from fleet import services as fleet_services
from mobility.audit.services import record_audit

fleet_services.audit_hook = record_audit
