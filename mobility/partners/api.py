"""API: webhook endpoints (admins) and the public data·inclusion feeds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.core.db import db
from mobility.core.roles import ADMIN
from mobility.organisations.models import PartnerOrganisation
from mobility.partners import datainclusion, proconnect, webhooks
from mobility.partners.models import WebhookEndpoint
from mobility.platforms.models import Platform
from mobility.platforms.siret import clean_siret


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    events: list[str] = Field(min_length=1)
    description: str | None = Field(default=None, max_length=200)


class WebhookCreated(BaseModel):
    id: int
    secret: str
    url: str
    events: list[str]


@api_route("/webhooks", methods=("POST",), roles={ADMIN}, body=WebhookIn,
           response=WebhookCreated, status=201, summary="Register a webhook endpoint "
           "(the secret is shown once)", tags=["webhooks"])
def create_webhook(user, body: WebhookIn) -> tuple[dict[str, Any], int]:
    endpoint = webhooks.register_endpoint(user, url=body.url, events=body.events,
                                          description=body.description)
    return {**webhooks.endpoint_json(endpoint), "secret": endpoint.secret}, 201


@api_route("/webhooks", roles={ADMIN}, summary="The platform's webhook endpoints",
           tags=["webhooks"])
def list_webhooks(user) -> list[dict[str, Any]]:
    return [webhooks.endpoint_json(e) for e in webhooks.endpoints_of(user.platform_id)]


@api_route("/webhooks/<int:endpoint_id>", methods=("DELETE",), roles={ADMIN},
           summary="Stop sending to a webhook endpoint", tags=["webhooks"])
def delete_webhook(user, endpoint_id: int):
    endpoint = get_or_404(WebhookEndpoint, endpoint_id, user, action="edit")
    if endpoint.active:
        webhooks.delete_endpoint(user, endpoint)
    return {"id": endpoint.id, "deleted": True}


@api_route("/webhooks/<int:endpoint_id>/deliveries", roles={ADMIN},
           summary="Deliveries of a webhook endpoint, newest first", tags=["webhooks"])
def list_deliveries(user, endpoint_id: int) -> list[dict[str, Any]]:
    endpoint = get_or_404(WebhookEndpoint, endpoint_id, user, action="view")
    return [{"id": d.id, "event_id": d.event_id, "event": d.event, "status": d.status,
             "attempts": d.attempts, "last_status_code": d.last_status_code,
             "last_error": d.last_error,
             "next_attempt_at": d.next_attempt_at.isoformat(),
             "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None}
            for d in endpoint.deliveries.limit(200)]


@api_route("/data-inclusion/structures", roles=None, tags=["data-inclusion"], response=list,
           summary="The published structures (data·inclusion schema v1), public")
def data_inclusion_structures(user):
    return datainclusion.cached_response("structures")


@api_route("/data-inclusion/services", roles=None, tags=["data-inclusion"], response=list,
           summary="The published services (data·inclusion schema v1), public")
def data_inclusion_services(user):
    return datainclusion.cached_response("services")


class SiretIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    siret: str | None = Field(default=None, max_length=20)


@api_route("/platform/siret", methods=("PUT",), roles={ADMIN}, body=SiretIn,
           summary="Record the platform's SIRET (checked)", tags=["partners"])
def put_platform_siret(user, body: SiretIn) -> dict[str, Any]:
    platform = db.session.get(Platform, user.platform_id)
    proconnect.set_siret(user, platform, clean_siret(body.siret))
    return {"id": platform.id, "siret": platform.siret}


@api_route("/partner-organisations/<int:organisation_id>/siret", methods=("PUT",),
           roles={ADMIN}, body=SiretIn, tags=["partners"],
           summary="Record a partner organisation's SIRET (checked)")
def put_organisation_siret(user, organisation_id: int, body: SiretIn) -> dict[str, Any]:
    organisation = get_or_404(PartnerOrganisation, organisation_id, user, action="edit")
    proconnect.set_siret(user, organisation, clean_siret(body.siret))
    return {"id": organisation.id, "siret": organisation.siret}
