"""API: sign the provision contract, download it."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from fleet.models import Rental
from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.contracts import services
from mobility.contracts.models import RentalContract
from mobility.core.errors import Forbidden
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY
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
    signed_copy_sha256: str | None
    template_version: str
    generated_at: str
    signed: bool
    signed_at: str | None
    signer_name: str | None
    version: int


def contract_payload(contract: RentalContract) -> dict:
    return {"rental_id": contract.rental_id, "sha256": contract.sha256,
            "signed_copy_sha256": contract.signed_document_sha256,
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


class PdfQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accepted: bool = Field(False, description="once signed: the exact bytes accepted, without "
                                              "the signature record page")


@api_route("/rentals/<int:rental_id>/contract.pdf", roles=CONTRACT_ROLES, tags=["contracts"],
           media_types=("application/pdf",),
           response={"type": "string", "format": "binary"}, query=PdfQuery,
           summary="The contract as PDF: once signed, the signed copy ending on the signature "
                   "record (?accepted=true: the exact bytes accepted)")
def contract_pdf(user, rental_id: int, query: PdfQuery | None = None):
    contract = services.ensure_contract(_rental_for(user, rental_id))
    return pdf_response(contract, accepted=bool(query and query.accepted))


def pdf_response(contract: RentalContract, *, accepted: bool = False) -> Response:
    """The draft, or once signed the signed copy (its last page records the signature);
    `accepted` gives the exact bytes accepted. X-Content-SHA256 is always the accepted
    document's fingerprint, the one the signature covers."""
    copy = not accepted and contract.signed_document is not None
    body = services.served_document(contract) if copy else contract.document
    suffix = "-signe" if copy else ""
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="contrat-{contract.platform_id}-{contract.rental_id}'
        f'-v{contract.version}{suffix}.pdf"')
    response.headers["X-Content-SHA256"] = contract.sha256
    if copy:
        response.headers["X-Signed-Copy-SHA256"] = contract.signed_document_sha256 or ""
    return response
