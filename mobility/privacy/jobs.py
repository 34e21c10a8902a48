"""The two scheduled privacy jobs, registered in the scheduler's job registry."""

from __future__ import annotations

from datetime import datetime

from mobility.core.translations import lazy_gettext as _l
from mobility.core.translations import ngettext
from mobility.privacy import services
from mobility.scheduling.registry import scheduled_job


@scheduled_job("privacy_anonymise_inactive", label=_l("Anonymise files without contact"),
               daily_minute=35, order=90)
def anonymise_inactive_job(now: datetime) -> str:
    """Anonymise the files with no contact for RETENTION_INACTIVE_DAYS."""
    return services.summary_line(services.anonymise_inactive(now))


@scheduled_job("privacy_purge_audit_log", label=_l("Purge the access log"),
               daily_minute=40, order=91)
def purge_audit_log_job(now: datetime) -> str:
    """Delete access-log entries older than AUDIT_RETENTION_DAYS."""
    return ngettext("%(num)d access-log entry deleted", "%(num)d access-log entries deleted",
                    services.purge_audit_log(now))
