"""API: tokens and the caller's identity."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from mobility.api import api_route
from mobility.auth import services
from mobility.core.extensions import limiter
from mobility.core.roles import ALL_ROLES


class TokenRequest(BaseModel):
    email: str
    password: str


class TokenResponse(BaseModel):
    token: str
    expires_at: datetime


class MeResponse(BaseModel):
    id: int
    email: str
    full_name: str
    role: str
    platform: str
    platform_id: int
    platform_name: str
    organisation_id: int | None
    locale: str | None


@api_route("/auth/token", methods=("POST",), roles=None, body=TokenRequest,
           response=TokenResponse, summary="Exchange an e-mail and password for a bearer token",
           tags=["auth"])
@limiter.limit(lambda: __import__("flask").current_app.config["LOGIN_RATE_LIMIT"])
def create_token(user, body: TokenRequest):
    account = services.authenticate(body.email, body.password)
    token, row = services.issue_api_token(account)
    return {"token": token, "expires_at": row.expires_at.isoformat()}


@api_route("/me", roles=ALL_ROLES, response=MeResponse, summary="Who am I", tags=["auth"])
def me(user):
    return {
        "id": user.id, "email": user.email, "full_name": user.full_name, "role": user.role,
        "platform": user.platform.slug, "platform_id": user.platform_id,
        "platform_name": user.platform.name, "organisation_id": user.organisation_id,
        "locale": user.locale,
    }

