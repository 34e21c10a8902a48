"""Send the outbox: every minute, whatever is due (new messages and retries)."""

from __future__ import annotations

from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.outbox import send_due_messages
from mobility.scheduling.registry import scheduled_job


@scheduled_job("send_outbox", label=_l("Send the outbox (e-mail and SMS)"),
               every_setting="SCHEDULER_SEND_INTERVAL_S", order=90)
def send_outbox(now) -> str:
    return str(send_due_messages())
