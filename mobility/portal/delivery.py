"""Sending sign-in codes through the notifications outbox (SMS or e-mail)."""

from __future__ import annotations


def send_code(beneficiary, code: str, channel: str) -> None:
    """Queue the code in the outbox, in the caller's transaction; the sender delivers it."""
    from mobility.notifications.services import enqueue_notification

    enqueue_notification(
        platform_id=beneficiary.platform_id,
        kind="portal_code",
        key=f"portal_code:{beneficiary.id}:{code}",
        channel=channel,
        to=beneficiary.email if channel == "email" else beneficiary.phone,
        template="portal_code",
        context={"code": code, "first_name": beneficiary.first_name},
        locale="fr",
    )
