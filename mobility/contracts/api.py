"""API: sign the provision contract, download it."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from fleet.models import Rental
from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.auth.roles import ADMIN, ADVISOR, BENEFICIARY
from mobility.contracts import services
from mobility.contracts.models import RentalContract
from mobility.errors import Forbidden
from mobility.rentals import lifecycle

CONTRACT_ROLES = {ADMIN, ADVISOR, BENEFICIARY}


class SignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signer_name: str = Field(min_length=1, max_length=200)
    accepted: bool
    document_sha256: str | None = Field(None, min_length=64, max_length=64,
                                        description="the hash of the PDF that was shown")


class ContractResponse(BaseModel):
    rental_id: int
    sha256: str
    template_version: str
    generated_at: str
    signed: bool
    signed_at: str | None
    signer_name: str | None
    version: int


def contract_payload(contract: RentalContract) -> dict:
    return {"rental_id": contract.rental_id, "sha256": contract.sha256,
            "template_version": contract.template_version,
            "generated_at": contract.generated_at.isoformat(), "signed": contract.is_signed,
            "signed_at": contract.signed_at.isoformat() if contract.signed_at else None,
            "signer_name": contract.signer_name, "version": contract.version}


def _rental_for(user, rental_id: int) -> Rental:
    rental = get_or_404(Rental, rental_id, user)
    if user.role not in CONTRACT_ROLES:
        raise Forbidden()
    return rental


@api_route("/rentals/<int:rental_id>/contract/sign", methods=("POST",), roles=CONTRACT_ROLES,
           body=SignBody, response=ContractResponse, tags=["contracts"],
           summary="The beneficiary accepts the contract (name, time, SHA-256); twice is a 409")
def sign_contract(user, rental_id: int, body: SignBody):
    rental = _rental_for(user, rental_id)
    contract = lifecycle.sign_contract(user, rental, signer_name=body.signer_name,
                                       accepted=body.accepted,
                                       document_sha256=body.document_sha256, via="api")
    return contract_payload(contract)


@api_route("/rentals/<int:rental_id>/contract", roles=CONTRACT_ROLES, response=ContractResponse,
           tags=["contracts"], summary="The contract's state and fingerprint")
def get_contract(user, rental_id: int):
    return contract_payload(services.ensure_contract(_rental_for(user, rental_id)))


@api_route("/rentals/<int:rental_id>/contract.pdf", roles=CONTRACT_ROLES, tags=["contracts"],
           response={"type": "string", "format": "binary"},
           summary="The contract as PDF: the exact archived bytes once signed")
def contract_pdf(user, rental_id: int):
    contract = services.ensure_contract(_rental_for(user, rental_id))
    return pdf_response(contract)


def pdf_response(contract: RentalContract) -> Response:
    response = Response(contract.document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="contrat-{contract.platform_id}-{contract.rental_id}.pdf"')
    response.headers["X-Content-SHA256"] = contract.sha256
    return response
