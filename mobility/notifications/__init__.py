"""Notifications: an outbox table, e-mail over SMTP, SMS through Brevo, OVHcloud or an HTTP
relay (with delivery reports), calendar files, and the advisor's call list.

Other features call `outbox.enqueue_notification(...)` inside the transaction that causes the
message; the scheduler's `send_outbox` job sends it later (see `docs/scheduler.md`).

- `recipients`: who a message goes to, as of now; `preferences`: the channel each person chose;
- `outbox`: enqueue, send, retry, delivery reports; `services`: the advisor's and admin's side.
"""
