"""Notifications: an outbox table, e-mail over SMTP, SMS through Brevo, OVHcloud or an HTTP
relay (with delivery reports), calendar files, and the advisor's call list.

Other features call `enqueue_notification(...)` inside the transaction that causes the
message; the scheduler's `send_outbox` job sends it later (see `docs/scheduler.md`).
"""

from __future__ import annotations


def enqueue_notification(**kwargs):
    """Write one message to the outbox in the current transaction (see `services`)."""
    from mobility.notifications.services import enqueue_notification as enqueue

    return enqueue(**kwargs)
