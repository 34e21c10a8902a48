"""The scheduler's job that sends due webhook deliveries (new ones and retries)."""

from __future__ import annotations

from mobility.core.translations import lazy_gettext as _l
from mobility.partners.webhooks import send_due_deliveries
from mobility.scheduling.registry import scheduled_job


@scheduled_job("send_webhooks", label=_l("Send the webhooks to partners"),
               every_setting="SCHEDULER_SEND_INTERVAL_S", order=91)
def send_webhooks(now) -> str:
    return str(send_due_deliveries())
