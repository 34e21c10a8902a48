"""Helpers of the fleet and rental tests: a PNG photo, a check-out checklist in good order, the
steps before a hand-over. (The records themselves come from `tests.factories`.)"""

from __future__ import annotations

import io

from PIL import Image

from fleet.models import CHECKLISTS, Rental
from mobility.rentals import lifecycle


def png_bytes(size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def good_checklist(kind: str) -> dict[str, bool]:
    """Every item of the kind's check-out checklist, in good order."""
    return {item: True for item in CHECKLISTS[kind]}


def prepare_hand_over(actor, rental: Rental) -> Rental:
    """What the hand-over needs, through the real steps: the contract signed by the person and
    the deposit held (a cheque)."""
    lifecycle.sign_contract(actor, rental, signer_name=rental.beneficiary.full_name,
                            accepted=True)
    if lifecycle.rules.deposit_due_cents(rental):
        lifecycle.take_deposit(actor, rental, method="cheque", reference=f"CHQ-{rental.id}")
    return rental
