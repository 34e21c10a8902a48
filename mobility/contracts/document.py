"""The provision contract as a PDF (contrat de mise à disposition), always in French: the
lender, the beneficiary, the vehicle and its papers, the period and place, the prices and
instalments, the deposit, the mileage allowance, fuel and insurance per scheme, damage and late
return, signatures; once signed, a copy closes on the signature record."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale

from fleet.models import INSPECTED_KINDS, INSURED_KINDS
from mobility.contracts.models import TEMPLATE_VERSION
from mobility.core.db import db
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import local_datetime, money, number
from mobility.pdf import Document, rental_number, short_date
from mobility.platforms.models import Platform
from mobility.pricing import services as pricing
from mobility.pricing.mileage import allowance_for

#: what the beneficiary commits to (rendered in the contract's language)
OBLIGATIONS = (
    _l("Use the vehicle for the trips to work, training or job search agreed with the advisor."),
    _l("Come to the weekly checkpoint (monthly for the progressive plan) with the vehicle; pay "
       "the instalment there."),
    _l("Keep within the daily mileage allowance; past it the service can be stopped."),
    _l("Do not lend the vehicle; report any accident, damage, theft or fine within 48 hours."),
    _l("Return the vehicle on the return date, clean and in the condition noted at check-out; "
       "documented damage may be kept from the deposit."),
)

SIGNED_VIA_LABELS = {"web": _l("on screen, with the platform's web page"),
                     "api": _l("through the platform's programming interface (API)")}


def allowance_words(km: float) -> str:
    """The daily allowance as the checkpoints apply it and every page shows it (one decimal,
    French notation): the stored figure, never rounded again."""
    return number(km)


def _amendment_words(amendment) -> list[str]:
    words = []
    if amendment.receives_rsa:
        words.append(str(pricing.REDUCTION_LABELS["rsa"]))
    if amendment.lives_in_qpv:
        words.append(str(pricing.REDUCTION_LABELS["qpv"]))
    return words


def render_contract(rental, terms, quote, *, generated_at: datetime, version: int,
                    trail: dict | None = None) -> bytes:
    """The contract's PDF bytes. `trail` (signer, time, how, the accepted document's SHA-256)
    adds the signature record on a last page: the signed copy."""
    with force_locale("fr"):
        return _render(rental, terms, quote, generated_at, version, trail)


def _render(rental, terms, quote, generated_at, version, trail) -> bytes:
    platform = db.session.get(Platform, rental.platform_id)
    number_text = rental_number(rental)
    pdf = Document(_("Vehicle provision contract no. %(number)s", number=number_text),
                   footer_text=_("Contract %(number)s, version %(version)d",
                                 number=number_text, version=version),
                   created_at=generated_at)
    pdf.title_block(
        _("Vehicle provision contract"),
        _("Contract no. %(number)s, version %(contract_version)d (template %(version)s), "
          "generated on %(date)s", number=number_text, contract_version=version,
          version=TEMPLATE_VERSION, date=local_datetime(generated_at, "short")))
    _parties(pdf, platform, rental.beneficiary)
    _vehicle(pdf, rental.vehicle)
    _period(pdf, rental, quote)
    _prices(pdf, terms, quote)
    _deposit(pdf, terms)
    _mileage(pdf, rental)
    pdf.heading(_("7. Fuel and insurance"))
    for line in fuel_and_insurance(rental, terms):
        pdf.paragraph(line)
    _damage_and_obligations(pdf, rental.vehicle, terms)
    _acceptance(pdf, platform, rental.beneficiary)
    if trail is not None:
        _signature_record(pdf, trail, version)
    return pdf.output_bytes()


def _parties(pdf: Document, platform, beneficiary) -> None:
    pdf.heading(_("1. Parties"))
    lender = [(_("Lender"), platform.lender_name if platform else "—"),
              (_("Address"), (platform.legal_address if platform else None) or _("not given")),
              (_("SIRET"), (platform.siret if platform else None) or _("not given")),
              (_("Mobility platform"), platform.name if platform else "—")]
    pdf.key_values(lender)
    pdf.ln(2)
    pdf.key_values([
        (_("Beneficiary"), beneficiary.full_name),
        (_("Born on"), short_date(beneficiary.birth_date)),
        (_("Address"), beneficiary.address or "—"),
    ])


def _vehicle(pdf: Document, vehicle) -> None:
    pdf.heading(_("2. Vehicle and its papers"))
    rows = [(_("Vehicle"), str(pricing.KIND_LABELS.get(vehicle.kind, vehicle.kind))
             + (f" ({vehicle.label})" if vehicle.label else "")),
            (_("Registration or frame number"), vehicle.plate)]
    if vehicle.needed_licence:
        rows.append((_("Licence needed"), vehicle.needed_licence))
    if vehicle.kind in INSURED_KINDS or vehicle.insurance_policy:
        rows.append((_("Vehicle insurance"), _("policy %(policy)s, valid until %(date)s",
                                       policy=vehicle.insurance_policy or "—",
                                       date=short_date(vehicle.insurance_expires_on))))
    if vehicle.kind in INSPECTED_KINDS or vehicle.technical_inspection_expires_on:
        rows.append((_("Technical inspection"),
                     _("inspection valid until %(date)s",
                       date=short_date(vehicle.technical_inspection_expires_on))))
    pdf.key_values(rows)


def _period(pdf: Document, rental, quote) -> None:
    vehicle = rental.vehicle
    pdf.heading(_("3. Period and place"))
    site, back = vehicle.site, rental.return_site or vehicle.site
    pdf.key_values([
        (_("Hand-over"), _("from %(date)s", date=short_date(rental.start_date))),
        (_("Return date"), short_date(rental.end_date)),
        (_("Days charged"), str(quote.days)),
        (_("Hand-over site"), f"{site.name}, {site.address}" if site else "—"),
        (_("Return site"), f"{back.name}, {back.address}" if back else "—"),
    ])


def _prices(pdf: Document, terms, quote) -> None:
    pdf.heading(_("4. Prices and instalments"))
    pdf.paragraph(_("Price plan: %(plan)s.", plan=pricing.SCHEME_LABELS[terms.scheme]))
    pdf.grid([_("Price item"), _("Amount")],
             [(pricing.line_label(line), money(line.amount_cents)) for line in quote.lines]
             + [(_("Total"), money(quote.total_cents))],
             widths=(0.75, 0.25), align=("LEFT", "RIGHT"))
    pdf.ln(2)
    label = _("Monthly instalments") if quote.period == "month" else _("Weekly instalments")
    pdf.paragraph(label, style="B")
    pdf.grid([_("No."), _("Due on"), _("Period"), _("Amount")],
             [(str(item.number), short_date(item.due_date),
               # periods end the day before the next starts: "du 1er au 7", said inclusively
               _("%(start)s to %(end)s", start=short_date(item.period_start),
                 end=short_date(item.period_end - timedelta(days=1))), money(item.amount_cents))
              for item in quote.instalments],
             widths=(0.1, 0.22, 0.43, 0.25), align=("LEFT", "LEFT", "LEFT", "RIGHT"))
    if quote.microcredit:
        pdf.paragraph(_("At month %(month)d (from %(date)s) the plan proposes a microcredit to "
                        "buy a car.", month=quote.microcredit["month"],
                        date=short_date(quote.microcredit["date"])))
    for amendment in terms.amendments:
        pdf.paragraph(_("Amendment from %(date)s: the beneficiary's new situation applies "
                        "(%(what)s).", date=short_date(amendment.effective_from),
                        what=", ".join(_amendment_words(amendment)) or _("no reduction")))


def _deposit(pdf: Document, terms) -> None:
    pdf.heading(_("5. Deposit"))
    pdf.paragraph(_("A deposit of %(amount)s is taken before the vehicle leaves and given back "
                    "when the rental is settled.", amount=money(terms.deposit_cents)))
    pdf.paragraph(_("It covers damage noted in the check-in report that the check-out report "
                    "did not show, and missing equipment (helmet, lock, charger, papers). Part "
                    "of it is kept only for documented damage, with the amount and the reason "
                    "written down; normal wear is not charged."))


def _mileage(pdf: Document, rental) -> None:
    pdf.heading(_("6. Mileage allowance"))
    daily = rental.daily_mileage_allowance_km
    if daily:
        pdf.paragraph(_("%(km)s km per working day (120 %% of the home-work round trip).",
                        km=allowance_words(daily)))
        pdf.paragraph(_("At each checkpoint the distance driven since the previous reading is "
                        "compared with this figure times the working days in between (for "
                        "example %(week)s km for 5 working days).",
                        week=number(allowance_for(rental, 5))))
    else:
        pdf.paragraph(_("Set by the advisor at the first checkpoint."))


def _damage_and_obligations(pdf: Document, vehicle, terms) -> None:
    pdf.heading(_("8. Damage, accident and late return"))
    rate = money(int(terms.tariff_rates().daily_rates_cents.get(vehicle.kind, 0)))
    pdf.bullets([
        _("The condition of the vehicle is noted item by item when it leaves and when it comes "
          "back (état des lieux), both signed by the beneficiary."),
        _("Any accident, damage, theft or fine is reported to the platform within 48 hours; an "
          "accident report (constat amiable) is filled in when another party is involved."),
        _("Days kept after the return date are charged at the full daily rate of the vehicle "
          "(%(rate)s a day), unless the advisor waives them with a written reason.", rate=rate),
    ])

    pdf.heading(_("9. Obligations of the beneficiary"))
    pdf.bullets([str(item) for item in OBLIGATIONS])


def _acceptance(pdf: Document, platform, beneficiary) -> None:
    pdf.heading(_("10. Acceptance and signatures"))
    pdf.paragraph(_("The beneficiary accepts this contract on screen by typing their name. The "
                    "time and the SHA-256 fingerprint of this exact document are archived with "
                    "the acceptance."))
    pdf.signature_block([(_("For the lender"), platform.lender_name if platform else ""),
                         (_("The beneficiary"), beneficiary.full_name)],
                        note=_("Signing by hand is optional: the on-screen acceptance binds."))


def _signature_record(pdf: Document, trail: dict, version: int) -> None:
    """The last page of the signed copy: who signed, when, how, and the document's SHA-256."""
    pdf.add_page()
    pdf.heading(_("Signature record"), size=14)
    pdf.key_values([
        (_("Signed by"), trail["signer_name"]),
        (_("Signed on"), local_datetime(trail["signed_at"], "d MMMM y, HH:mm:ss zzzz")),
        (_("How"), str(SIGNED_VIA_LABELS.get(trail["via"], trail["via"]))),
        (_("Account signed in"), trail.get("account") or "—"),
        (_("Version"), str(version)),
        (_("SHA-256 of the accepted document"), trail["sha256"]),
    ], key_width=0.4)
    pdf.paragraph(_("The document accepted is the one above without this page; its "
                    "fingerprint can be checked against the archived file."), size=8)


def fuel_and_insurance(rental, terms) -> list[str]:
    """Who pays fuel and insurance under the rental's scheme. Bougez: fuel is the
    beneficiary's; AMIE: the first month covers rental, fuel and insurance (reference:
    Acsé, "Mobilité et accès à l'emploi", AMIE sheet), fuel for personal trips never."""
    vehicle = rental.vehicle
    motor = vehicle.kind in INSURED_KINDS
    lines = []
    if terms.scheme == "amie" and (terms.amie_first_month or 1) == 1:
        lines.append(_("First month of the progressive plan: the platform pays the fuel for "
                       "the agreed trips and the insurance."))
        lines.append(_("From the second month, fuel is paid by the beneficiary; fuel for "
                       "personal trips is never covered."))
    elif terms.scheme == "amie":
        lines.append(_("Fuel is paid by the beneficiary (the first month of the progressive "
                       "plan, which covered it, is behind); fuel for personal trips is never "
                       "covered."))
    elif motor:
        lines.append(_("Fuel or charging is paid by the beneficiary."))
    else:
        lines.append(_("Charging, if any, is the beneficiary's."))
    if motor:
        lines.append(_("The vehicle is insured by the lender (policy %(policy)s); the "
                       "insurance is included in the price.",
                       policy=vehicle.insurance_policy or "—"))
    else:
        lines.append(_("A cycle needs no motor insurance (Code des assurances, art. L211-1); "
                       "the beneficiary's civil liability covers damage to others."))
    return lines
