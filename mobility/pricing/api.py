"""API: quotes and tariffs."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from mobility.api import api_route
from mobility.auth.policies import get_or_404, scoped
from mobility.core.roles import ADMIN, ADVISOR, FLEET_MANAGER
from mobility.pagination import PageOnly, page_response, paginate
from mobility.people.models import Beneficiary
from mobility.pricing import services
from mobility.pricing.engine import QUOTE_KINDS
from mobility.pricing.models import Tariff


class QuoteQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    beneficiary_id: int
    kind: Literal[QUOTE_KINDS]  # type: ignore[valid-type]
    start: date
    end: date | None = Field(None, description="return date (exclusive); B - A days charged")
    scheme: Literal["bougez", "amie"] = "bougez"
    seats: int = Field(1, description="for carpool_seat / minibus_seat")


class QuoteLine(BaseModel):
    code: str
    label: str
    quantity: int
    unit_cents: int
    amount_cents: int


class QuoteInstalment(BaseModel):
    number: int
    due_date: date
    period_start: date
    period_end: date
    amount_cents: int


class QuoteResponse(BaseModel):
    total_cents: int
    deposit_cents: int
    lines: list[QuoteLine]
    instalments: list[QuoteInstalment]
    period: str
    days: int
    scheme: str
    kind: str
    reduction: str | None
    reduction_pct: int
    reductions_applicable: list[str]
    microcredit: dict | None
    warnings: list[str]
    tariff_id: int | None
    currency: str


@api_route("/quotes", roles={ADMIN, ADVISOR}, query=QuoteQuery, response=QuoteResponse,
           summary="Quote a rental or seats for a beneficiary", tags=["pricing"])
def get_quote(user, query: QuoteQuery):
    beneficiary = get_or_404(Beneficiary, query.beneficiary_id, user)
    result, tariff = services.quote_for(beneficiary, kind=query.kind, start=query.start,
                                        end=query.end, scheme=query.scheme, seats=query.seats)
    return services.quote_payload(result, tariff)


class Rates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    daily_rates_cents: dict[str, StrictInt]
    deposits_cents: dict[str, StrictInt]
    rsa_reduction_pct: StrictInt = 100
    qpv_reduction_pct: StrictInt = 50
    membership_fee_cents: StrictInt
    carpool_seat_cents: StrictInt
    minibus_seat_cents: StrictInt
    amie_month1_cents: dict[str, StrictInt]
    amie_ladder_cents: list[StrictInt]


class TariffBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    effective_from: date
    effective_until: date | None = None
    close_previous: bool = False
    rates: Rates


def tariff_payload(tariff: Tariff) -> dict:
    return {"id": tariff.id, "name": tariff.name,
            "effective_from": tariff.effective_from.isoformat(),
            "effective_until": tariff.effective_until.isoformat()
            if tariff.effective_until else None,
            "rates": tariff.rates}


@api_route("/tariffs", roles={ADMIN, ADVISOR, FLEET_MANAGER}, query=PageOnly, response=list,
           summary="The platform's tariffs, by effective date, a page at a time "
           "(Link: rel=next)", tags=["pricing"])
def list_tariffs(user, query: PageOnly):
    page = paginate(scoped(Tariff, user), (Tariff.effective_from, Tariff.id),
                    cursor=query.cursor, limit=query.limit)
    return page_response(page, [tariff_payload(t) for t in page])


@api_route("/tariffs", methods=("POST",), roles={ADMIN}, body=TariffBody, status=201,
           summary="Add a tariff (overlapping effective dates are refused with 409)",
           tags=["pricing"])
def create_tariff(user, body: TariffBody):
    tariff = services.create_tariff(
        user, name=body.name, effective_from=body.effective_from,
        effective_until=body.effective_until, rates=body.rates.model_dump(),
        close_previous=body.close_previous)
    return tariff_payload(tariff), 201
