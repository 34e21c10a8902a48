"""API: export everything held about a person (JSON, PDF, or a ZIP with the documents),
anonymise a file."""

from __future__ import annotations

from typing import Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.core.translations import lazy_gettext as _l
from mobility.people.models import Beneficiary
from mobility.privacy import export, services

TAGS = ["privacy"]


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "pdf", "zip"] = Field(
        "json", description="json|pdf|zip (the JSON with the documents' files)")


class AnonymiseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirm: bool = Field(description="must be true: the file cannot be restored")

    @field_validator("confirm")
    @classmethod
    def _must_confirm(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError(_l("Confirm the anonymisation: it cannot be undone."))
        return value


class AnonymisationOut(BaseModel):
    beneficiary_id: int
    reason: str
    anonymised_at: str


def download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@api_route("/beneficiaries/<int:beneficiary_id>/export", roles=services.PRIVACY_ROLES,
           query=ExportQuery,
           media_types=("application/json", "application/pdf", "application/zip"),
           summary="Everything held about a person (right of access and "
           "portability), as JSON, PDF or a ZIP with the documents' files; the export is "
           "logged", tags=TAGS)
def export_beneficiary(user, beneficiary_id: int, query: ExportQuery):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user)
    body, mimetype = export.export_person(user, beneficiary, query.format)
    if query.format == "json":
        return body
    return download(body, mimetype, export.export_filename(beneficiary_id, query.format))


@api_route("/beneficiaries/<int:beneficiary_id>/anonymise", methods=("POST",),
           roles=services.PRIVACY_ROLES, body=AnonymiseIn, response=AnonymisationOut,
           summary="Anonymise a person's file on request (identity, contact, address and free "
           "text removed; statistics and accounting kept). Twice: 409", tags=TAGS)
def anonymise_beneficiary(user, beneficiary_id: int, body: AnonymiseIn):
    beneficiary = get_or_404(Beneficiary, beneficiary_id, user, action="edit")
    record = services.anonymise(user, beneficiary, reason="request")
    return {"beneficiary_id": record.beneficiary_id, "reason": record.reason,
            "anonymised_at": record.anonymised_at.isoformat()}
