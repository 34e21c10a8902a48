"""Tariffs (validated, never overlapping), quotes for a person, and each rental's terms."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fleet.models import Rental
from mobility.audit.services import record_audit
from mobility.core.db import db, id_in, write_transaction
from mobility.core.errors import Conflict, ValidationFailed
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import money
from mobility.pricing.amie import (  # the AMIE months are part of the terms' price
    amie_first_month_of,
    amie_first_months,
    amie_max_months,
)
from mobility.pricing.amie import amie_months_used as amie_months_used  # re-exported for the tests
from mobility.pricing.engine import (
    VEHICLE_KINDS,
    Line,
    Quote,
    QuoteError,
    Situation,
    TariffRates,
    quote,
)
from mobility.pricing.models import RentalAmendment, RentalTerms, Tariff

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
                 days=line.quantity, rate=money(line.unit_cents))
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
                 seats=line.quantity, price=money(line.unit_cents))
    return line.code


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


def new_terms(rental, *, scheme: str = "bougez", amie_first_month: int | None = None
              ) -> RentalTerms:
    """The terms a rental gets at booking (not added to the session): the tariff in force on its
    start date, the person's situation then, the deposit of the vehicle's kind; AMIE months
    continue from the person's earlier AMIE rentals."""
    tariff, rates = rates_on(rental.platform_id, rental.start_date)
    situation = situation_of(rental.beneficiary, rental.start_date)
    kind = rental.vehicle.kind
    if scheme == "amie" and kind != "car":
        raise ValidationFailed(details={"scheme": _l("The progressive plan (AMIE) is for cars "
                                                     "only.")})
    if amie_first_month is None:
        amie_first_month = amie_first_month_of(rental) if scheme == "amie" else 1
    return RentalTerms(
        platform_id=rental.platform_id, rental_id=rental.id,
        tariff_id=tariff.id if tariff else None, scheme=scheme, rates=rates.to_dict(),
        receives_rsa=situation.receives_rsa, lives_in_qpv=situation.lives_in_qpv,
        resources_band=situation.resources_band, membership_due=situation.membership_due,
        deposit_cents=int(rates.deposits_cents.get(kind, 0)), amie_first_month=amie_first_month,
        priced_kind=kind,
    )


def ensure_terms(rental, *, scheme: str | None = None, commit: bool = True) -> RentalTerms:
    """The rental's terms, fixed at booking (`new_terms`); older rentals without terms get them
    the first time they are read."""
    terms = terms_of(rental)
    if terms is not None:
        return terms
    terms = new_terms(rental, scheme=scheme or "bougez")
    db.session.add(terms)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return terms


def refresh_situation(terms: RentalTerms, beneficiary) -> bool:
    """Before the contract is signed: copy the person's current situation into the terms.
    Returns True when something changed."""
    situation = situation_of(beneficiary, terms.rental.start_date, membership=terms.membership_due)
    changed = False
    for name in ("receives_rsa", "lives_in_qpv", "resources_band"):
        if getattr(terms, name) != getattr(situation, name):
            setattr(terms, name, getattr(situation, name))
            changed = True
    return changed


def add_amendment(actor, rental, terms: RentalTerms, beneficiary, *, effective_from: date
                  ) -> RentalAmendment | None:
    """After signing: the person's new situation applies from `effective_from` (the next
    period); None when it is the situation already in force then."""
    current = situation_in_force(terms, effective_from)
    new = situation_of(beneficiary, effective_from, membership=terms.membership_due)
    if (current.receives_rsa, current.lives_in_qpv, current.resources_band) == (
            new.receives_rsa, new.lives_in_qpv, new.resources_band):
        return None
    amendment = RentalAmendment(
        platform_id=rental.platform_id, rental_id=rental.id, effective_from=effective_from,
        receives_rsa=new.receives_rsa, lives_in_qpv=new.lives_in_qpv,
        resources_band=new.resources_band, created_by_id=getattr(actor, "id", None))
    db.session.add(amendment)
    db.session.flush()
    record_audit(actor, "create", object_type="RentalAmendment", object_id=amendment.id,
                 platform_id=rental.platform_id,
                 fields=["effective_from", "receives_rsa", "lives_in_qpv", "resources_band"])
    return amendment


def amendments_of(terms: RentalTerms) -> list[tuple[date, Situation]]:
    return [(item.effective_from,
             Situation(receives_rsa=item.receives_rsa, lives_in_qpv=item.lives_in_qpv,
                       resources_band=item.resources_band, membership_due=terms.membership_due))
            for item in terms.amendments]


def situation_in_force(terms: RentalTerms, day: date) -> Situation:
    current = terms.situation()
    for effective_from, situation in amendments_of(terms):
        if effective_from <= day:
            current = situation
    return current


def chargeable_late_days(rental) -> int:
    """Days kept after the planned return, unless an advisor waived them."""
    return 0 if rental.late_days_waived_reason else int(rental.late_days or 0)


def quote_under_terms(rental, terms: RentalTerms, *, max_months: int | None = None,
                      first_month: int | None = None) -> Quote:
    """What the rental costs under its terms: from its start to its planned (or early) return,
    amendments from their dates, AMIE months from the person's count, late days charged.
    Raises `QuoteError` (lists skip such a rental, a ledger turns it into a 400)."""
    return quote(
        terms.tariff_rates(), kind=rental.vehicle.kind, start=rental.start_date,
        end=rental.end_date, scheme=terms.scheme, situation=terms.situation(),
        amendments=amendments_of(terms),
        amie_first_month=(first_month or amie_first_month_of(rental))
        if terms.scheme == "amie" else 1,
        amie_max_months=max_months if max_months is not None
        else amie_max_months(rental.platform_id),
        late_days=chargeable_late_days(rental),
    )


def priced_terms(rentals) -> dict[int, tuple[RentalTerms, Quote | None]]:
    """The terms of each rental that has them, with its quote under them (`quote_under_terms`;
    None when it cannot be priced), in a fixed number of queries. Rentals without terms are
    left out: nothing is written (lists, the person's file, dashboards)."""
    if not rentals:
        return {}
    terms = {t.rental_id: t for t in db.session.scalars(select(RentalTerms).where(
        id_in(RentalTerms.rental_id, [r.id for r in rentals])).options(
            selectinload(RentalTerms.amendments)))}
    limits = {platform_id: amie_max_months(platform_id)
              for platform_id in {r.platform_id for r in rentals}}
    first_months = amie_first_months([r for r in rentals if r.id in terms
                                      and terms[r.id].scheme == "amie"])
    priced: dict[int, tuple[RentalTerms, Quote | None]] = {}
    for rental in rentals:
        item = terms.get(rental.id)
        if item is None:
            continue
        try:
            result = quote_under_terms(rental, item, max_months=limits[rental.platform_id],
                                       first_month=first_months.get(rental.id))
        except QuoteError:
            result = None
        priced[rental.id] = (item, result)
    return priced


def rental_quote(rental, terms: RentalTerms | None = None) -> Quote:
    """What the rental costs under its terms (`quote_under_terms`)."""
    terms = terms or ensure_terms(rental)
    try:
        return quote_under_terms(rental, terms)
    except QuoteError as error:
        raise ValidationFailed(details={error.field: error.message}) from None
