"""API v1 for people: partner organisations, referrals, beneficiaries, assessments, eligibility,
pathway actions, workshops and exits. Platform-scoped, role-checked, dates in ISO 8601.

This module holds what the areas share (`Strict`, the code literals) and the settings; each
area's endpoints are in `api_referrals`, `api_files` and `api_workshops`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mobility.api import api_route
from mobility.core.roles import ADMIN, ADVISOR
from mobility.organisations.models import ORGANISATION_KINDS
from mobility.people import services
from mobility.people.models import CONTRACT_TYPES, GENDERS, OBSTACLES

STAFF = {ADMIN, ADVISOR}
TAGS = ["people"]

OrganisationKind = Literal[tuple(ORGANISATION_KINDS)]  # type: ignore[valid-type]
Gender = Literal[tuple(GENDERS)]  # type: ignore[valid-type]
ContractType = Literal[tuple(CONTRACT_TYPES)]  # type: ignore[valid-type]
Obstacle = Literal[tuple(OBSTACLES)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SettingsIn(Strict):
    scoring: dict[str, Any] = {}
    eligibility: dict[str, Any] = {}


# -- settings ----------------------------------------------------------------------------------


@api_route("/people-settings", roles={ADMIN, ADVISOR},
           summary="Scoring and eligibility settings of the platform (defaults + overrides)",
           tags=TAGS)
def get_settings(user):
    return {"overrides": services.settings_config(user.platform_id),
            "scoring": services.scoring_for(user.platform_id),
            "eligibility": services.eligibility_config_for(user.platform_id)}


@api_route("/people-settings", methods=("PUT",), roles={ADMIN}, body=SettingsIn,
           summary="Replace the platform's scoring and eligibility overrides", tags=TAGS)
def put_settings(user, body: SettingsIn):
    services.update_settings(user, {k: v for k, v in body.model_dump().items() if v})
    return get_settings.__wrapped__(user)
