"""Sending sign-in codes through the notifications outbox (SMS or e-mail)."""

from __future__ import annotations

import secrets

from mobility.notifications.outbox import enqueue_notification


def send_code(beneficiary, code: str, channel: str) -> None:
    """Queue the code in the outbox, in the caller's transaction; the sender delivers it."""
    enqueue_notification(
        kind="portal_code",
        # a random key: the code itself must not be readable in the outbox's key
        key=f"portal_code:{beneficiary.id}:{secrets.token_urlsafe(12)}",
        recipient=beneficiary,
        channel=channel,
        context={"code": code, "link": None},
        about=("beneficiary", beneficiary.id),
    )
