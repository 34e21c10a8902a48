"""Generate the provision contract (PDF), sign it once, serve the archived bytes."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from sqlalchemy import select, update

from mobility.audit.services import record_audit
from mobility.contracts.models import TEMPLATE_VERSION, RentalContract
from mobility.db_types import utcnow
from mobility.errors import Conflict, ValidationFailed
from mobility.extensions import db, write_transaction
from mobility.platforms.models import Platform
from mobility.pricing import services as pricing

#: what the beneficiary commits to (rendered in the contract's language)
OBLIGATIONS = (
    _l("Use the vehicle for the trips to work, training or job search agreed with the advisor."),
    _l("Fuel or charging is paid by the beneficiary."),
    _l("Come to the weekly checkpoint (monthly for the progressive plan) with the vehicle; pay "
       "the instalment there."),
    _l("Keep within the daily mileage allowance; past it the service can be stopped."),
    _l("Do not lend the vehicle; report any accident, damage, theft or fine within 48 hours."),
    _l("Return the vehicle on the return date, clean and in the condition noted at check-out; "
       "documented damage may be kept from the deposit."),
)


def contract_of(rental) -> RentalContract | None:
    """The rental's current (latest) contract version."""
    return db.session.scalar(select(RentalContract).where(RentalContract.rental_id == rental.id)
                             .order_by(RentalContract.version.desc()).limit(1))


def _fingerprint(rental, terms, quote) -> str:
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


def _normalise_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("-", " ").casefold().split())


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
    if _normalise_name(signer_name) != _normalise_name(rental.beneficiary.full_name):
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
    with write_transaction():
        done = db.session.execute(
            update(RentalContract)
            .where(RentalContract.id == contract.id, RentalContract.signed_at.is_(None),
                   RentalContract.sha256 == contract.sha256)
            .values(signed_at=utcnow(), signer_name=" ".join(signer_name.split())[:200],
                    signed_by_id=actor.id, signed_via=via)
        )
        if done.rowcount != 1:
            raise Conflict(_l("This contract is already signed."), code="already_signed")
        record_audit(actor, "update", object_type="RentalContract", object_id=contract.id,
                     platform_id=rental.platform_id, fields=["signed_at", "signer_name"])
    db.session.refresh(contract)
    return contract


# -- the PDF -------------------------------------------------------------------------------

_REPLACEMENTS = {"\u202f": " ", "\u00a0": " ", "\u2019": "'", "\u2018": "'", "\u201c": '"',
                 "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u20ac": "EUR",
                 "\u2212": "-", "\u0153": "oe", "\u0152": "OE"}


def _latin1(text: str) -> str:
    """The PDF's core fonts are Latin-1: map typographic characters, drop the rest."""
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


def allowance_words(km: float) -> str:
    """The daily allowance as the checkpoints apply it: one decimal, French notation."""
    from mobility.i18n import number

    return number(round(float(km), 1))


def _amendment_words(amendment) -> list[str]:
    words = []
    if amendment.receives_rsa:
        words.append(str(pricing.REDUCTION_LABELS["rsa"]))
    if amendment.lives_in_qpv:
        words.append(str(pricing.REDUCTION_LABELS["qpv"]))
    return words


def _eur(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}".replace(",", " ") + f",{cents % 100:02d} EUR"


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else "-"


def render_pdf(rental, terms, quote, *, generated_at: datetime, version: int = 1) -> bytes:
    """The contract as PDF bytes, always in French (the legal document)."""
    with force_locale("fr"):
        return _render(rental, terms, quote, generated_at, version)


def _render(rental, terms, quote, generated_at: datetime, version: int) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(generated_at)
    pdf.set_title(_latin1(_("Provision contract")))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("helvetica", "B", 12)
        pdf.multi_cell(width, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 10)

    def para(text: str) -> None:
        pdf.multi_cell(width, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(width, 9, _latin1(_("Vehicle provision contract")), new_x="LMARGIN",
                   new_y="NEXT", align="C")
    pdf.set_font("helvetica", "", 9)
    para(_("Contract no. %(number)s, version %(contract_version)d - template %(version)s - "
           "generated on %(date)s", number=f"{rental.platform_id}-{rental.id}",
           contract_version=version, version=TEMPLATE_VERSION,
           date=generated_at.strftime("%d/%m/%Y %H:%M UTC")))
    beneficiary, vehicle = rental.beneficiary, rental.vehicle

    heading(_("1. Parties"))
    platform = db.session.get(Platform, rental.platform_id)
    para(_("The lender: %(name)s, mobility platform.", name=platform.name if platform else ""))
    para(_("The beneficiary: %(name)s, born on %(birth)s, living at %(address)s.",
           name=beneficiary.full_name, birth=_day(beneficiary.birth_date),
           address=beneficiary.address or "-"))

    heading(_("2. Vehicle"))
    para(_("%(kind)s, registration or frame number %(plate)s%(label)s.",
           kind=pricing.KIND_LABELS.get(vehicle.kind, vehicle.kind), plate=vehicle.plate,
           label=f" ({vehicle.label})" if vehicle.label else ""))

    heading(_("3. Period"))
    para(_("From %(start)s to the return date %(end)s: %(days)d days charged.",
           start=_day(rental.start_date), end=_day(rental.end_date), days=quote.days))

    heading(_("4. Prices"))
    para(_("Price plan: %(plan)s.", plan=pricing.SCHEME_LABELS[terms.scheme]))
    for line in quote.lines:
        para(f"- {pricing.line_label(line)} : {_eur(line.amount_cents)}")
    para(_("Total: %(total)s.", total=_eur(quote.total_cents)))
    label = _("Monthly instalments:") if quote.period == "month" else _("Weekly instalments:")
    para(label)
    for item in quote.instalments:
        para(_("- no. %(number)d due on %(date)s: %(amount)s", number=item.number,
               date=_day(item.due_date), amount=_eur(item.amount_cents)))
    if quote.microcredit:
        para(_("At month %(month)d (from %(date)s) the plan proposes a microcredit to buy a "
               "car.", month=quote.microcredit["month"], date=_day(quote.microcredit["date"])))
    for amendment in terms.amendments:
        para(_("Amendment from %(date)s: the beneficiary's new situation applies (%(what)s).",
               date=_day(amendment.effective_from),
               what=", ".join(_amendment_words(amendment)) or _("no reduction")))
    para(_("Days kept after the return date are charged at the full daily rate of the "
           "vehicle (%(rate)s a day).",
           rate=_eur(int(terms.tariff_rates().daily_rates_cents.get(vehicle.kind, 0)))))

    heading(_("5. Deposit"))
    para(_("A deposit of %(amount)s is taken before the vehicle leaves and given back at its "
           "return, less documented damage.", amount=_eur(terms.deposit_cents)))

    heading(_("6. Mileage allowance"))
    if rental.daily_mileage_allowance_km:
        para(_("%(km)s km per working day (120 %% of the home-work round trip).",
               km=allowance_words(rental.daily_mileage_allowance_km)))
    else:
        para(_("Set by the advisor at the first checkpoint."))

    heading(_("7. Obligations of the beneficiary"))
    for obligation in OBLIGATIONS:
        para(f"- {obligation}")

    heading(_("8. Acceptance"))
    para(_("The beneficiary accepts this contract on screen by typing their name. The time and "
           "the SHA-256 fingerprint of this exact document are archived with the acceptance."))
    return bytes(pdf.output())
