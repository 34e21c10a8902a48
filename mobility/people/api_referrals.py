"""API v1 for referrals and the partner organisations (and referents) that send them."""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal

from flask import request
from pydantic import Field

from mobility.api import api_route, parse_model
from mobility.auth.policies import get_or_404, scoped
from mobility.core.roles import ADMIN, ADVISOR, PRESCRIBER
from mobility.organisations.models import PartnerOrganisation, Referent
from mobility.pagination import PageOnly, PageQuery, page_response, paginate
from mobility.people import services
from mobility.people.api import (
    STAFF,
    TAGS,
    ContractType,
    Gender,
    Obstacle,
    OrganisationKind,
    Strict,
)
from mobility.people.models import REFERRAL_REASONS, Referral


class OrganisationIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganisationKind


class ReferentIn(Strict):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    job_title: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    user_id: int | None = None


class ReferralIn(Strict):
    organisation_id: int | None = None
    referent_id: int | None = None
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    birth_date: date | None = None
    gender: Gender | None = None
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=300)
    reason: Literal[tuple(REFERRAL_REASONS)]  # type: ignore[valid-type]
    employer: str | None = Field(default=None, max_length=200)
    workplace_address: str | None = Field(default=None, max_length=300)
    schedule: str | None = Field(default=None, max_length=200)
    shift_start: time | None = None
    shift_end: time | None = None
    night_shifts: bool = False
    early_shifts: bool = False
    contract_type: ContractType | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    obstacles: list[Obstacle] = []
    comment: str | None = Field(default=None, max_length=4000)
    consent: bool = False


class ReferralQuery(Strict, PageQuery):
    status: Literal["submitted", "accepted", "declined"] | None = None


class AcceptIn(Strict):
    beneficiary_id: int | None = None


class DeclineIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


# -- partner organisations ---------------------------------------------------------------------


def organisation_json(org: PartnerOrganisation) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "kind": org.kind, "kind_label": org.kind_label,
            "created_at": org.created_at.isoformat()}


def referent_json(r: Referent) -> dict[str, Any]:
    return {"id": r.id, "organisation_id": r.organisation_id, "first_name": r.first_name,
            "last_name": r.last_name, "job_title": r.job_title, "email": r.email,
            "phone": r.phone, "user_id": r.user_id}


@api_route("/partner-organisations", methods=("POST",), roles={ADMIN}, body=OrganisationIn,
           status=201, summary="Register a partner organisation", tags=TAGS)
def create_partner_organisation(user, body: OrganisationIn):
    return organisation_json(services.create_organisation(user, name=body.name, kind=body.kind))


@api_route("/partner-organisations", roles={ADMIN, ADVISOR, PRESCRIBER}, query=PageOnly,
           response=list, tags=TAGS, summary="Partner organisations of the platform (a "
           "prescriber: their own), by name, a page at a time (Link: rel=next)")
def list_partner_organisations(user, query: PageOnly):
    rows = scoped(PartnerOrganisation, user)
    if user.role == PRESCRIBER:
        rows = rows.where(PartnerOrganisation.id == user.organisation_id)
    page = paginate(rows, (PartnerOrganisation.name, PartnerOrganisation.id),
                    cursor=query.cursor, limit=query.limit)
    return page_response(page, [organisation_json(o) for o in page])


@api_route("/partner-organisations/<int:organisation_id>/referents", methods=("POST",),
           roles={ADMIN}, body=ReferentIn, status=201, summary="Add a referent", tags=TAGS)
def create_referent(user, organisation_id: int, body: ReferentIn):
    organisation = get_or_404(PartnerOrganisation, organisation_id, user, action="edit")
    return referent_json(services.create_referent(user, organisation, **body.model_dump()))


@api_route("/partner-organisations/<int:organisation_id>/referents", roles=STAFF,
           summary="Referents of a partner organisation", tags=TAGS)
def list_referents(user, organisation_id: int):
    organisation = get_or_404(PartnerOrganisation, organisation_id, user)
    return [referent_json(r) for r in organisation.referents]


# -- referrals ---------------------------------------------------------------------------------


@api_route("/referrals", methods=("POST",), roles={ADMIN, ADVISOR, PRESCRIBER}, body=ReferralIn,
           status=201, summary="Submit a referral (fiche de liaison)", tags=TAGS)
def create_referral(user, body: ReferralIn):
    referral = services.submit_referral(user, body.model_dump())
    return services.referral_json(referral, user)


@api_route("/referrals", roles={ADMIN, ADVISOR, PRESCRIBER}, query=ReferralQuery, response=list,
           summary="Referrals (a prescriber: their organisation's), newest first, a page at a "
           "time (Link: rel=next)", tags=TAGS)
def list_referrals(user, query: ReferralQuery):
    page = services.referral_page(user, status=query.status, cursor=query.cursor,
                                  limit=query.limit)
    return page_response(page, [services.referral_json(r, user) for r in page])


@api_route("/referrals/<int:referral_id>", roles={ADMIN, ADVISOR, PRESCRIBER},
           summary="A referral with its status, decline reason and feedback", tags=TAGS)
def get_referral(user, referral_id: int):
    return services.referral_json(get_or_404(Referral, referral_id, user), user)


@api_route("/referrals/<int:referral_id>/accept", methods=("POST",), roles=STAFF,
           summary="Accept a referral: create or link the beneficiary, open the pathway",
           tags=TAGS)
def accept_referral(user, referral_id: int):
    body = parse_model(AcceptIn, request.get_json(silent=True) or {})
    referral = get_or_404(Referral, referral_id, user, action="edit")
    referral = services.accept_referral(user, referral, beneficiary_id=body.beneficiary_id)
    return services.referral_json(referral, user)


@api_route("/referrals/<int:referral_id>/decline", methods=("POST",), roles=STAFF,
           body=DeclineIn, summary="Decline a referral with a reason", tags=TAGS)
def decline_referral(user, referral_id: int, body: DeclineIn):
    referral = get_or_404(Referral, referral_id, user, action="edit")
    return services.referral_json(services.decline_referral(user, referral, reason=body.reason),
                                  user)


