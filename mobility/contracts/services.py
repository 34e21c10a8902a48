"""Generate the provision contract (PDF), sign it once, serve the archived bytes."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import and_, func, select, update

from fleet.services import normalise_name
from mobility.audit.services import record_audit
from mobility.contracts.document import OBLIGATIONS, allowance_words, render_contract
from mobility.contracts.models import TEMPLATE_VERSION, RentalContract
from mobility.core.columns import utcnow
from mobility.core.db import db, id_in, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.platforms.models import Platform
from mobility.pricing import services as pricing

__all__ = ["OBLIGATIONS", "allowance_words", "contract_is_current", "contract_of",
           "ensure_contract", "render_pdf", "served_document", "sign_contract"]

def contract_of(rental) -> RentalContract | None:
    """The rental's current (latest) contract version."""
    return db.session.scalar(select(RentalContract).where(RentalContract.rental_id == rental.id)
                             .order_by(RentalContract.version.desc()).limit(1))


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _lender(platform_id: int) -> list:
    platform = db.session.get(Platform, platform_id)
    return [platform.lender_name, platform.legal_address, platform.siret] if platform else []


def _fingerprint(rental, terms, quote, lender: list | None = None) -> str:
    source = {
        "template": TEMPLATE_VERSION, "rental": rental.id, "vehicle": rental.vehicle_id,
        "start": rental.start_date.isoformat(), "end": rental.end_date.isoformat(),
        "allowance": rental.daily_mileage_allowance_km, "scheme": terms.scheme,
        "instalments": [[i.due_date.isoformat(), i.amount_cents] for i in quote.instalments
                        if i.period_start < rental.end_date],
        "deposit": terms.deposit_cents,
        "amendments": [[a.effective_from.isoformat(), a.receives_rsa, a.lives_in_qpv,
                        a.resources_band] for a in terms.amendments],
        "beneficiary": [rental.beneficiary.first_name, rental.beneficiary.last_name,
                        rental.beneficiary.address],
        # the lender and the vehicle's papers are stated by the contract; the return slot is
        # not part of it (scheduling the return must not call for a new signature)
        "lender": lender if lender is not None else _lender(rental.platform_id),
        "papers": [rental.vehicle.insurance_policy,
                   _iso(rental.vehicle.insurance_expires_on),
                   _iso(rental.vehicle.technical_inspection_expires_on)],
    }
    return hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()


def contract_is_current(rental) -> bool:
    """True when the latest version is signed and states the rental as it is now (dates,
    vehicle, prices, amendments): the condition of the hand-over."""
    contract = contract_of(rental)
    if contract is None or not contract.is_signed:
        return False
    terms = pricing.ensure_terms(rental)
    return contract.source_fingerprint == _fingerprint(rental, terms,
                                                       pricing.rental_quote(rental, terms))


def contracts_of(rentals, priced: dict | None = None) -> dict[int, tuple[RentalContract, bool]]:
    """`contract_of` and `contract_is_current` of many rentals (those with a contract), in a
    fixed number of queries and writing nothing: a signed version whose rental cannot be
    priced as it stands is not current."""
    if not rentals:
        return {}
    latest = (select(RentalContract.rental_id, func.max(RentalContract.version).label("version"))
              .where(id_in(RentalContract.rental_id, [r.id for r in rentals]))
              .group_by(RentalContract.rental_id).subquery())
    contracts = {c.rental_id: c for c in db.session.scalars(select(RentalContract).join(
        latest, and_(RentalContract.rental_id == latest.c.rental_id,
                     RentalContract.version == latest.c.version)))}
    if priced is None:  # `pricing.priced_terms` of the rentals, when the caller has it
        priced = pricing.priced_terms([r for r in rentals if r.id in contracts
                                       and contracts[r.id].is_signed])
    lenders = {platform_id: _lender(platform_id)
               for platform_id in {r.platform_id for r in rentals}}
    out = {}
    for rental in rentals:
        contract = contracts.get(rental.id)
        if contract is None:
            continue
        terms, quote = priced.get(rental.id, (None, None))
        out[rental.id] = (contract, contract.is_signed and quote is not None
                          and contract.source_fingerprint
                          == _fingerprint(rental, terms, quote, lenders[rental.platform_id]))
    return out


def ensure_contract(rental) -> RentalContract:
    """The rental's current contract: an unsigned draft is regenerated when its inputs changed;
    after a signed version, a change (extension, replacement, amendment) makes the next
    version, to be signed in turn."""
    terms = pricing.ensure_terms(rental)
    quote = pricing.rental_quote(rental, terms)
    contract = contract_of(rental)
    fingerprint = _fingerprint(rental, terms, quote)
    if contract is not None and contract.source_fingerprint == fingerprint:
        return contract
    now = utcnow()
    version = 1 if contract is None else contract.version + (1 if contract.is_signed else 0)
    document = render_pdf(rental, terms, quote, generated_at=now, version=version)
    if contract is None or contract.is_signed:
        contract = RentalContract(platform_id=rental.platform_id, rental_id=rental.id,
                                  version=version)
        db.session.add(contract)
    contract.template_version = TEMPLATE_VERSION
    contract.source_fingerprint = fingerprint
    contract.document = document
    contract.sha256 = hashlib.sha256(document).hexdigest()
    contract.generated_at = now
    db.session.commit()
    return contract


def sign_contract(actor, rental, *, signer_name: str, accepted: bool,
                  document_sha256: str | None = None, via: str = "web") -> RentalContract:
    """The beneficiary accepts the exact document: their name, the time and the PDF's SHA-256
    are archived. Signing twice, or a document that changed meanwhile, is a 409."""
    if rental.status not in ("booked", "in_progress"):
        raise Conflict(_l("This rental is closed: its contract can no longer be signed."),
                       code="rental_closed")
    errors = {}
    if not accepted:
        errors["accepted"] = _l("The beneficiary must accept the contract.")
    if normalise_name(signer_name) != normalise_name(rental.beneficiary.full_name):
        errors["signer_name"] = _l("Type the beneficiary's first and last name as on the "
                                   "contract.")
    contract = ensure_contract(rental)
    if contract.is_signed:
        raise Conflict(_l("This contract is already signed."), code="already_signed")
    if errors:
        raise ValidationFailed(details=errors)
    if document_sha256 and document_sha256.strip().lower() != contract.sha256:
        raise Conflict(_l("The contract changed since it was shown: read it again before "
                          "signing."), code="document_changed")
    if hashlib.sha256(contract.document).hexdigest() != contract.sha256:
        raise Conflict(_l("The archived document does not match its fingerprint."),
                       code="document_corrupted")
    signed_at, name = utcnow(), " ".join(signer_name.split())[:200]
    # the signed copy: the accepted pages (same inputs, same generation time) and, last, the
    # signature record naming the accepted document's SHA-256
    terms = pricing.ensure_terms(rental)
    copy = render_pdf(rental, terms, pricing.rental_quote(rental, terms),
                      generated_at=contract.generated_at, version=contract.version,
                      trail={"signer_name": name, "signed_at": signed_at, "via": via,
                             "account": getattr(actor, "full_name", None) or actor.email,
                             "sha256": contract.sha256})
    with write_transaction():
        done = db.session.execute(
            update(RentalContract)
            .where(RentalContract.id == contract.id, RentalContract.signed_at.is_(None),
                   RentalContract.sha256 == contract.sha256)
            .values(signed_at=signed_at, signer_name=name, signed_by_id=actor.id,
                    signed_via=via, signed_document=copy,
                    signed_document_sha256=hashlib.sha256(copy).hexdigest())
        )
        if done.rowcount != 1:
            raise Conflict(_l("This contract is already signed."), code="already_signed")
        record_audit(actor, "update", object_type="RentalContract", object_id=contract.id,
                     platform_id=rental.platform_id, fields=["signed_at", "signer_name"])
    db.session.refresh(contract)
    return contract


# -- the PDF -------------------------------------------------------------------------------

def render_pdf(rental, terms, quote, *, generated_at: datetime, version: int = 1,
               trail: dict | None = None) -> bytes:
    """The contract as PDF bytes, always in French (the legal document); with `trail`, the
    signed copy closing on the signature record."""
    return render_contract(rental, terms, quote, generated_at=generated_at, version=version,
                           trail=trail)


def served_document(contract: RentalContract) -> bytes:
    """What a download gets: the signed copy (with its signature record) once signed, the
    draft before."""
    return contract.signed_document or contract.document


def set_scheme(actor, rental, scheme: str):
    """Choose Bougez (daily) or AMIE (progressive) for a rental whose contract is not signed
    (its terms, `mobility.pricing.models.RentalTerms`)."""
    if scheme not in pricing.SCHEME_LABELS:
        raise ValidationFailed(details={"scheme": _l("This scheme is not known (bougez or amie).")})
    contract = db.session.scalar(select(RentalContract).where(
        RentalContract.rental_id == rental.id))
    if contract is not None and contract.signed_at is not None:
        raise Conflict(_l("The contract is signed: its prices can no longer change."),
                       code="contract_signed")
    terms = pricing.ensure_terms(rental, scheme=scheme, commit=False)
    if terms.scheme != scheme:
        if scheme == "amie" and rental.vehicle.kind != "car":
            raise ValidationFailed(details={
                "scheme": _l("The progressive plan (AMIE) is for cars only.")})
        terms.scheme = scheme
        if contract is not None:  # an unsigned draft is generated again with the new prices
            db.session.delete(contract)
    record_audit(actor, "update", object_type="RentalTerms", object_id=terms.id,
                 fields=["scheme"])
    db.session.commit()
    return terms
