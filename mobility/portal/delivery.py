"""Sending sign-in codes through the notifications outbox (SMS or e-mail)."""

from __future__ import annotations

from mobility.notifications.services import enqueue_notification


def send_code(beneficiary, code: str, channel: str) -> None:
    """Queue the code in the outbox, in the caller's transaction; the sender delivers it."""
    enqueue_notification(
        kind="portal_code",
        key=f"portal_code:{beneficiary.id}:{code}",
        recipient=beneficiary,
        channel=channel,
        context={"code": code, "link": None},
        about=("beneficiary", beneficiary.id),
    )
