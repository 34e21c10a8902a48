"""Tariffs (validated, never overlapping), quotes for a person, and each rental's terms."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mobility.audit.services import record_audit
from mobility.errors import Conflict, ValidationFailed
from mobility.extensions import db, write_transaction
from mobility.pricing.engine import (
    VEHICLE_KINDS,
    Line,
    Quote,
    QuoteError,
    Situation,
    TariffRates,
    quote,
)
from mobility.pricing.models import RentalTerms, Tariff

SCHEME_LABELS = {"bougez": _l("Daily rate (Bougez)"), "amie": _l("Progressive plan (AMIE)")}
KIND_LABELS = {
    "bike": _l("Bike"), "e_bike": _l("E-bike"), "scooter": _l("Scooter"), "moped": _l("Moped"),
    "car": _l("Car"), "carpool_seat": _l("Carpool seat"), "minibus_seat": _l("Minibus seat"),
}
REDUCTION_LABELS = {"rsa": _l("RSA recipient"), "qpv": _l("Priority neighbourhood (QPV)")}


# -- tariffs ------------------------------------------------------------------------------

def tariff_on(platform_id: int, day: date) -> Tariff | None:
    """The platform's tariff in force on `day`, if any."""
    return db.session.scalar(
        select(Tariff).where(
            Tariff.platform_id == platform_id, Tariff.effective_from <= day,
            (Tariff.effective_until.is_(None)) | (Tariff.effective_until > day),
        )
    )


def rates_on(platform_id: int, day: date) -> tuple[Tariff | None, TariffRates]:
    """The tariff in force on `day` and its numbers (the scheme defaults when none is set)."""
    tariff = tariff_on(platform_id, day)
    return tariff, (tariff.tariff_rates() if tariff else TariffRates())


def validate_rates(data: dict) -> TariffRates:
    """Check a tariff's numbers: whole non-negative cents, percentages 0..100."""
    errors: dict[str, object] = {}

    def cents(name: str, value) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[name] = _l("Enter an amount in whole cents, zero or more.")
            return 0
        if value > 10_000_000:
            errors[name] = _l("This amount is too large.")
        return value

    daily = {k: cents(f"daily_rates_cents.{k}", data.get("daily_rates_cents", {}).get(k))
             for k in VEHICLE_KINDS}
    deposits = {k: cents(f"deposits_cents.{k}", data.get("deposits_cents", {}).get(k))
                for k in VEHICLE_KINDS}
    pcts = {}
    for name in ("rsa_reduction_pct", "qpv_reduction_pct"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            errors[name] = _l("A reduction must be between 0 and 100 %.")
        pcts[name] = value
    month1 = {k: cents(f"amie_month1_cents.{k}", v)
              for k, v in (data.get("amie_month1_cents") or {}).items()}
    ladder = [cents(f"amie_ladder_cents.{i}", v)
              for i, v in enumerate(data.get("amie_ladder_cents") or [])]
    if not month1:
        errors["amie_month1_cents"] = _l("Give the first month's price for each resources band.")
    if len(ladder) != 4:
        errors["amie_ladder_cents"] = _l("Give the prices of months 2 to 5.")
    scalars = {name: cents(name, data.get(name)) for name in (
        "membership_fee_cents", "carpool_seat_cents", "minibus_seat_cents")}
    if errors:
        raise ValidationFailed(details=errors)
    return TariffRates(daily_rates_cents=daily, deposits_cents=deposits,
                       amie_month1_cents=month1, amie_ladder_cents=ladder, **pcts, **scalars)


def create_tariff(actor, *, name: str, effective_from: date, effective_until: date | None,
                  rates: dict, close_previous: bool = False) -> Tariff:
    """Add a tariff. Overlapping another tariff's period is refused (409), unless
    `close_previous` and the only overlap is an open-ended tariff starting earlier, which is
    then closed the day the new one starts."""
    checked = validate_rates(rates)
    if not (name or "").strip():
        raise ValidationFailed(details={"name": _l("This field is required.")})
    if effective_until is not None and effective_until <= effective_from:
        raise ValidationFailed(details={
            "effective_until": _l("The end date must be after the start date.")})
    with write_transaction():
        others = db.session.scalars(
            select(Tariff).where(Tariff.platform_id == actor.platform_id)
            .order_by(Tariff.effective_from)
        ).all()
        overlapping = [t for t in others if _overlaps(t, effective_from, effective_until)]
        if (close_previous and len(overlapping) == 1 and overlapping[0].effective_until is None
                and overlapping[0].effective_from < effective_from):
            overlapping[0].effective_until = effective_from
            overlapping = []
        if overlapping:
            raise Conflict(
                _l("These effective dates overlap another tariff's: end it first."),
                code="tariff_overlap",
                details={"overlapping": [
                    {"id": t.id, "effective_from": t.effective_from.isoformat(),
                     "effective_until": t.effective_until.isoformat()
                     if t.effective_until else None} for t in overlapping]},
            )
        tariff = Tariff(platform_id=actor.platform_id, name=name.strip(),
                        effective_from=effective_from, effective_until=effective_until,
                        rates=checked.to_dict(), created_by_id=actor.id)
        db.session.add(tariff)
        db.session.flush()
        record_audit(actor, "create", object_type="Tariff", object_id=tariff.id,
                     fields=["effective_from", "effective_until", "rates"])
    return tariff


def _overlaps(tariff: Tariff, start: date, until: date | None) -> bool:
    far = date.max
    return tariff.effective_from < (until or far) and start < (tariff.effective_until or far)


# -- quotes --------------------------------------------------------------------------------

def membership_due(beneficiary, on: date) -> bool:
    """True unless a membership fee was already charged in the year before `on`."""
    from fleet.models import Rental

    since = on - timedelta(days=365)
    charged = db.session.scalar(
        select(RentalTerms.id).join(Rental, Rental.id == RentalTerms.rental_id).where(
            Rental.beneficiary_id == beneficiary.id, RentalTerms.membership_due.is_(True),
            Rental.start_date > since, Rental.start_date <= on, Rental.status != "cancelled",
        ).limit(1)
    )
    return charged is None


def situation_of(beneficiary, on: date, *, membership: bool | None = None) -> Situation:
    return Situation(
        receives_rsa=bool(beneficiary.receives_rsa), lives_in_qpv=bool(beneficiary.lives_in_qpv),
        resources_band=getattr(beneficiary, "resources_band", None),
        membership_due=membership_due(beneficiary, on) if membership is None else membership,
    )


def quote_for(beneficiary, *, kind: str, start: date, end: date | None, scheme: str = "bougez",
              seats: int = 1) -> tuple[Quote, Tariff | None]:
    """The quote for this person under the tariff in force on `start`."""
    tariff, rates = rates_on(beneficiary.platform_id, start)
    try:
        result = quote(rates, kind=kind, start=start, end=end, scheme=scheme,
                       situation=situation_of(beneficiary, start), seats=seats)
    except QuoteError as error:
        raise ValidationFailed(details={error.field: error.message}) from None
    return result, tariff


#: roles that may know why a reduction applies (it reveals RSA or QPV status)
SITUATION_ROLES = frozenset({"admin", "advisor", "beneficiary"})


def line_label(line: Line, *, show_situation: bool = True) -> str:
    """A line of a quote in words, in the current language; without `show_situation` a
    reduction does not say why (RSA, QPV), for roles that must not learn it."""
    if line.code == "reduction" and not show_situation:
        return _("Reduction (-%(pct)d %%)", pct=line.params["pct"])
    if line.code == "rental":
        return _("%(kind)s: %(days)d days at %(rate)s", kind=KIND_LABELS[line.params["kind"]],
                 days=line.quantity, rate=_money(line.unit_cents))
    if line.code == "reduction":
        return _("Reduction: %(reason)s (-%(pct)d %%)",
                 reason=REDUCTION_LABELS[line.params["reduction"]], pct=line.params["pct"])
    if line.code == "membership":
        return _("Annual membership fee")
    if line.code == "amie_month":
        if line.params["days"] != line.params["full_days"]:
            return _("Month %(month)d (%(days)d of %(full)d days)", month=line.params["month"],
                     days=line.params["days"], full=line.params["full_days"])
        return _("Month %(month)d", month=line.params["month"])
    if line.code == "seat":
        return _("%(kind)s: %(seats)d at %(price)s", kind=KIND_LABELS[line.params["kind"]],
                 seats=line.quantity, price=_money(line.unit_cents))
    return line.code


def _money(cents: int) -> str:
    from mobility.i18n import money

    return money(cents)


def quote_payload(result: Quote, tariff: Tariff | None) -> dict:
    """The API's view of a quote: the engine's fields plus words and the tariff used."""
    data = result.to_dict()
    for line, raw in zip(data["lines"], result.lines, strict=True):
        line["label"] = line_label(raw)
    data["tariff_id"] = tariff.id if tariff else None
    data["currency"] = "EUR"
    if result.microcredit:
        data["microcredit"]["message"] = _(
            "At month %(month)d the plan proposes a microcredit to buy a car.",
            month=result.microcredit["month"])
    return data


# -- the terms of a rental -----------------------------------------------------------------

def terms_of(rental) -> RentalTerms | None:
    return db.session.scalar(select(RentalTerms).where(RentalTerms.rental_id == rental.id))


def ensure_terms(rental, *, scheme: str | None = None, commit: bool = True) -> RentalTerms:
    """The rental's terms, fixed from the tariff in force on its start date the first time."""
    terms = terms_of(rental)
    if terms is not None:
        return terms
    scheme = scheme or "bougez"
    tariff, rates = rates_on(rental.platform_id, rental.start_date)
    situation = situation_of(rental.beneficiary, rental.start_date)
    kind = rental.vehicle.kind
    if scheme == "amie" and kind != "car":
        raise ValidationFailed(details={"scheme": _l("The progressive plan (AMIE) is for cars "
                                                     "only.")})
    terms = RentalTerms(
        platform_id=rental.platform_id, rental_id=rental.id,
        tariff_id=tariff.id if tariff else None, scheme=scheme, rates=rates.to_dict(),
        receives_rsa=situation.receives_rsa, lives_in_qpv=situation.lives_in_qpv,
        resources_band=situation.resources_band, membership_due=situation.membership_due,
        deposit_cents=int(rates.deposits_cents.get(kind, 0)),
    )
    db.session.add(terms)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return terms


def set_scheme(actor, rental, scheme: str) -> RentalTerms:
    """Choose Bougez (daily) or AMIE (progressive) for a rental whose contract is not signed."""
    from mobility.contracts.models import RentalContract

    if scheme not in SCHEME_LABELS:
        raise ValidationFailed(details={"scheme": _l("This scheme is not known (bougez or amie).")})
    contract = db.session.scalar(select(RentalContract).where(
        RentalContract.rental_id == rental.id))
    if contract is not None and contract.signed_at is not None:
        raise Conflict(_l("The contract is signed: its prices can no longer change."),
                       code="contract_signed")
    terms = ensure_terms(rental, scheme=scheme, commit=False)
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


def rental_quote(rental, terms: RentalTerms | None = None) -> Quote:
    """What the rental costs under its terms, from its start to its (actual) return date."""
    terms = terms or ensure_terms(rental)
    try:
        return quote(
            terms.tariff_rates(), kind=rental.vehicle.kind, start=rental.start_date,
            end=rental.end_date, scheme=terms.scheme,
            situation=Situation(receives_rsa=terms.receives_rsa,
                                lives_in_qpv=terms.lives_in_qpv,
                                resources_band=terms.resources_band,
                                membership_due=terms.membership_due),
        )
    except QuoteError as error:
        raise ValidationFailed(details={error.field: error.message}) from None
