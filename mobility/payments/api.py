"""API: a rental's balance, payments and deposit."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from fleet.models import Rental
from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.core.columns import utcnow
from mobility.core.db import db
from mobility.core.errors import NotFound
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.payments import services
from mobility.payments.models import DEPOSIT_METHODS, PAYMENT_METHODS, Deposit, Payment
from mobility.rentals import lifecycle

STAFF_AND_BENEFICIARY = {ADMIN, ADVISOR, FLEET_MANAGER, BENEFICIARY}
MONEY_ROLES = {ADMIN, ADVISOR}


class BalanceResponse(BaseModel):
    rental_id: int
    scheme: str
    period: str | None
    charged_cents: int
    due_cents: int
    paid_cents: int
    pending_cents: int
    arrears_cents: int
    credit_cents: int
    balance_cents: int
    charges: list[dict]
    payments: list[dict]
    deposit: dict | None
    microcredit: dict | None


@api_route("/rentals/<int:rental_id>/balance", roles=STAFF_AND_BENEFICIARY,
           response=BalanceResponse, tags=["payments"],
           summary="The rental's ledger: charges due, payments, arrears (computed)")
def rental_balance(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user)
    return services.ledger(rental)


class PaymentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_cents: StrictInt = Field(gt=0)
    method: Literal[PAYMENT_METHODS]  # type: ignore[valid-type]
    reference: str | None = Field(None, max_length=80)
    paid_on: date | None = None


def payment_payload(payment: Payment) -> dict:
    return {"id": payment.id, "rental_id": payment.rental_id,
            "amount_cents": payment.amount_cents, "method": payment.method,
            "status": payment.status,
            "paid_on": payment.paid_on.isoformat() if payment.paid_on else None,
            "stripe_payment_intent_id": payment.stripe_payment_intent_id,
            "stripe_client_secret": payment.stripe_client_secret}


@api_route("/rentals/<int:rental_id>/payments", methods=("POST",), roles=MONEY_ROLES,
           body=PaymentBody, status=201, tags=["payments"],
           summary="Record a payment (cash, cheque, card terminal) or start an online one")
def create_payment(user, rental_id: int, body: PaymentBody):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    payment = services.record_payment(user, rental, amount_cents=body.amount_cents,
                                      method=body.method, reference=body.reference,
                                      paid_on=body.paid_on or utcnow().date())
    return payment_payload(payment), 201


class DepositBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal[DEPOSIT_METHODS] | Literal["stripe"]  # type: ignore[valid-type]
    reference: str | None = Field(None, max_length=80)
    amount_cents: StrictInt | None = Field(None, gt=0)
    payment_method_id: str | None = Field(None, max_length=120,
                                          description="a Stripe PaymentMethod collected on the "
                                          "page: the card is saved or held at once")


class KeepBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_cents: StrictInt = Field(gt=0)
    damage_note: str = Field(min_length=1, max_length=2000)


def deposit_payload(deposit: Deposit) -> dict:
    return {"id": deposit.id, "rental_id": deposit.rental_id,
            "amount_cents": deposit.amount_cents, "method": deposit.method,
            "status": deposit.status, "kept_cents": deposit.kept_cents,
            "stripe_setup_intent_id": deposit.stripe_setup_intent_id,
            "stripe_payment_intent_id": deposit.stripe_payment_intent_id,
            "stripe_client_secret": deposit.stripe_client_secret,
            "hold_expires_at": deposit.hold_expires_at.isoformat()
            if deposit.hold_expires_at else None}


@api_route("/rentals/<int:rental_id>/deposit", methods=("POST",), roles=MONEY_ROLES,
           body=DepositBody, status=201, tags=["payments"],
           summary="Take the deposit: in person, or 'stripe' (saved card or hold by length)")
def create_deposit(user, rental_id: int, body: DepositBody):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    method = services.deposit_kind_for(rental) if body.method == "stripe" else body.method
    deposit = lifecycle.take_deposit(user, rental, method=method, reference=body.reference,
                                     amount_cents=body.amount_cents,
                                     payment_method_id=body.payment_method_id)
    return deposit_payload(deposit), 201


@api_route("/rentals/<int:rental_id>/deposit", roles=STAFF_AND_BENEFICIARY, tags=["payments"],
           summary="The rental's deposit (re-read from Stripe when online)")
def get_deposit(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user)
    deposit = _deposit_or_404(rental)
    if deposit.is_stripe and deposit.status in ("pending", "held"):
        services.sync_deposit(deposit)
        db.session.commit()
    return deposit_payload(deposit)


@api_route("/rentals/<int:rental_id>/deposit/release", methods=("POST",), roles=MONEY_ROLES,
           tags=["payments"], summary="Give the deposit back (hold released)")
def release_deposit(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return deposit_payload(services.release_deposit(user, _deposit_or_404(rental)))


@api_route("/rentals/<int:rental_id>/deposit/keep", methods=("POST",), roles=MONEY_ROLES,
           body=KeepBody, tags=["payments"],
           summary="Keep part of the deposit for documented damage (partial capture)")
def keep_deposit(user, rental_id: int, body: KeepBody):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    deposit = services.keep_deposit(user, _deposit_or_404(rental),
                                    amount_cents=body.amount_cents, damage_note=body.damage_note)
    return deposit_payload(deposit)


def _deposit_or_404(rental) -> Deposit:
    deposit = services.deposit_of(rental)
    if deposit is None:
        raise NotFound()
    return deposit
