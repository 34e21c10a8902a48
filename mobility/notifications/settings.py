"""Settings of the notifications and the scheduler, each with its unit and default.

Read from the app's config (`mobility.config` reads the environment), else the default here.
Every variable is listed in `docs/scheduler.md`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

DEFAULTS: dict[str, Any] = {
    # -- e-mail (no SMTP_HOST: e-mails stay in the outbox, "held", visible to admins) --
    "SMTP_HOST": "",
    "SMTP_PORT": 0,  # 0: 465 with SMTP_TLS=ssl, 587 with starttls, 25 with none
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_TLS": "starttls",  # starttls | ssl | none (true/false are read as starttls/none)
    "SMTP_TIMEOUT_S": 10,
    "MAIL_FROM": "Plateforme mobilité <no-reply@localhost>",
    # -- SMS (no provider settings: text messages stay in the outbox, "held") --
    "SMS_PROVIDER": "http",  # brevo | ovh | http (a JSON relay of your own)
    "SMS_API_URL": "",  # the provider's base URL (brevo/ovh: their public API by default)
    "SMS_ENDPOINT_URL": "",  # older name of SMS_API_URL for the http provider
    "SMS_API_KEY": "",
    "SMS_SENDER": "MOBILITE",  # at most 11 letters and digits
    "SMS_TIMEOUT_S": 10,
    "OVH_ENDPOINT": "ovh-eu",
    "OVH_APPLICATION_KEY": "",
    "OVH_APPLICATION_SECRET": "",
    "OVH_CONSUMER_KEY": "",
    "OVH_SMS_SERVICE": "",  # e.g. sms-ab12345-1
    # a failed SMS is sent again by e-mail when the person has an address
    "SMS_FALLBACK_TO_EMAIL": True,
    # -- links in messages --
    "PUBLIC_BASE_URL": "http://localhost:5000",
    # sign-in links (PUBLIC_BASE_URL/r/<token>) in beneficiaries' reminders
    "SIGNIN_LINKS": True,
    "SIGNIN_LINK_TTL_H": 48,
    # -- retries: attempt n waits NOTIFY_RETRY_BASE_S * 2**(n-1), at most NOTIFY_RETRY_MAX_S --
    "NOTIFY_MAX_ATTEMPTS": 8,
    "NOTIFY_RETRY_BASE_S": 60,
    "NOTIFY_RETRY_MAX_S": 6 * 3600,
    "NOTIFY_BATCH_SIZE": 50,
    # a message claimed by a sender that died is retried after this many seconds
    "NOTIFY_STALE_CLAIM_S": 15 * 60,
    # -- reminders --
    "REMINDER_CHECKPOINT_DAYS": 1,
    "REMINDER_RETURN_DAYS": 1,
    "REMINDER_WORKSHOP_DAYS": 1,
    "REMINDER_DEPOSIT_DAYS": 3,
    "REMINDER_PLAN_STEP_DAYS": 3,
    "REMINDER_DOCUMENT_DAYS": 30,
    "REMINDER_MAINTENANCE_DAYS": 7,
    "REMINDER_MAINTENANCE_KM": 300,
    # events older than this are not notified any more when the scheduler catches up
    "REMINDER_CATCH_UP_DAYS": 14,
    # -- scheduler --
    "SCHEDULER_MISFIRE_GRACE_S": 15 * 60,
    "SCHEDULER_SEND_INTERVAL_S": 60,
    "SCHEDULER_DAILY_HOUR_UTC": 6,
    "SCHEDULER_LOCK_FILE": "",  # SQLite only; default: next to the database file
    "SCHEDULER_STANDBY_POLL_S": 5,
}


def setting(name: str) -> Any:
    """The value of `name`: the app config, else `DEFAULTS[name]`."""
    default = DEFAULTS[name]
    value = current_app.config.get(name) if current_app else None
    if value is None or value == "":
        return default
    if isinstance(default, bool):
        return str(value).strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    return value
