"""The pricing rules as one pure function: `quote(rates, kind=, start=, end=, scheme=, situation=)`.

No database, no request: data in, data out. Money is in integer cents everywhere.

Rounding rules (documented in docs/payments.md and tested):

- A rental from date A to its return date B is charged for B - A days.
- A percentage reduction is applied to the cumulative amount and rounded DOWN to the cent
  (in the beneficiary's favour): `net(d) = floor(rate * d * (100 - pct) / 100)`.
- Instalment k covering days [a, b) of the period is `net(b) - net(a)`: instalments telescope
  to exactly the total, none is negative, no cent is lost or invented.
- AMIE months: a full month costs its ladder price; a partial last month costs
  `floor(price * days / days_in_that_month)`.
- When several reductions apply, the most favourable one (highest percentage) is used, and
  only that one; on a tie RSA wins (it is listed first).
- An instalment falls due at the END of its period: it is paid at the checkpoint that closes
  the week (or the month, AMIE); the membership fee goes with the first instalment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from mobility.core.dates import add_months
from mobility.core.translations import lazy_gettext as _l
from mobility.people.eligibility import DEFAULT_ELIGIBILITY

VEHICLE_KINDS = ("bike", "e_bike", "scooter", "moped", "car")
SEAT_KINDS = ("carpool_seat", "minibus_seat")
QUOTE_KINDS = VEHICLE_KINDS + SEAT_KINDS
SCHEMES = ("bougez", "amie")
#: the AMIE plan lasts at most this many months per person (over all their AMIE rentals); the
#: microcredit is proposed at the last one. The platform's own figure is the eligibility setting
#: `amie.max_rental_months` (`mobility.people.services.amie_max_months`); this is its default.
AMIE_MAX_MONTHS = DEFAULT_ELIGIBILITY["amie"]["max_rental_months"]
#: longest period quoted, in days (a sanity bound, about two years)
MAX_PERIOD_DAYS = 731

# Defaults from the "Bougez vers l'emploi" scheme (daily base rates) and our own choices
# for what the source leaves open (deposits, membership, seats, the AMIE ladder).
DEFAULT_DAILY_RATES_CENTS = {"car": 500, "scooter": 200, "moped": 200, "bike": 100,
                             "e_bike": 100}
DEFAULT_DEPOSITS_CENTS = {"car": 30000, "scooter": 15000, "moped": 15000, "bike": 5000,
                          "e_bike": 10000}
DEFAULT_MEMBERSHIP_FEE_CENTS = 1000
DEFAULT_CARPOOL_SEAT_CENTS = 200
DEFAULT_MINIBUS_SEAT_CENTS = 200
DEFAULT_RSA_REDUCTION_PCT = 100
DEFAULT_QPV_REDUCTION_PCT = 50
#: month 1 of the AMIE plan by resources band (people.models.RESOURCES_BANDS)
DEFAULT_AMIE_MONTH1_CENTS = {"under_600": 0, "600_1000": 3000, "1000_1500": 6000,
                             "over_1500": 9000}
#: months 2..5 of the AMIE plan, rising toward a loan-like repayment
DEFAULT_AMIE_LADDER_CENTS = [10000, 15000, 20000, 25000]


class QuoteError(ValueError):
    """Input the rules cannot price; `field` names the offending input."""

    def __init__(self, field: str, message: Any):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TariffRates:
    """The numbers of one tariff (a snapshot: a rental keeps the one it started under)."""

    daily_rates_cents: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_DAILY_RATES_CENTS))
    deposits_cents: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DEPOSITS_CENTS))
    rsa_reduction_pct: int = DEFAULT_RSA_REDUCTION_PCT
    qpv_reduction_pct: int = DEFAULT_QPV_REDUCTION_PCT
    membership_fee_cents: int = DEFAULT_MEMBERSHIP_FEE_CENTS
    carpool_seat_cents: int = DEFAULT_CARPOOL_SEAT_CENTS
    minibus_seat_cents: int = DEFAULT_MINIBUS_SEAT_CENTS
    amie_month1_cents: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_AMIE_MONTH1_CENTS))
    amie_ladder_cents: list[int] = field(default_factory=lambda: list(DEFAULT_AMIE_LADDER_CENTS))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TariffRates:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class Situation:
    """What about the person changes the price."""

    receives_rsa: bool = False
    lives_in_qpv: bool = False
    resources_band: str | None = None
    #: add the annual membership fee (the person is not a member for the period yet)
    membership_due: bool = False


@dataclass
class Line:
    code: str  # rental, reduction, membership, amie_month, seat
    quantity: int
    unit_cents: int
    amount_cents: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Instalment:
    number: int
    due_date: date
    period_start: date
    period_end: date
    amount_cents: int


@dataclass
class Quote:
    kind: str
    scheme: str
    start: date
    end: date | None
    days: int
    total_cents: int
    deposit_cents: int
    lines: list[Line]
    instalments: list[Instalment]
    period: str  # week, month, once
    reduction: str | None = None
    reduction_pct: int = 0
    reductions_applicable: list[str] = field(default_factory=list)
    microcredit: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("start", "end"):
            data[key] = data[key].isoformat() if data[key] else None
        for item in data["instalments"]:
            for key in ("due_date", "period_start", "period_end"):
                item[key] = item[key].isoformat()
        if self.microcredit:
            data["microcredit"] = {**self.microcredit,
                                   "date": self.microcredit["date"].isoformat()}
        return data




def months_started(start: date, end: date) -> int:
    """How many months of a monthly plan `[start, end)` runs into (a partial month counts)."""
    months = 0
    while add_months(start, months) < end:
        months += 1
    return months


#: `(effective_from, Situation)`: a change of situation recorded after the contract was signed
Amendment = tuple[date, "Situation"]


def _situation_on(day: date, situation: Situation, amendments: list[Amendment]) -> Situation:
    """The situation in force on `day`: the latest amendment effective by then, else the
    situation at booking."""
    current = situation
    for effective_from, amended in sorted(amendments, key=lambda pair: pair[0]):
        if effective_from <= day:
            current = amended
    return current


def choose_reduction(rates: TariffRates, situation: Situation) -> tuple[str | None, int, list]:
    """The most favourable applicable reduction: (code, percent, every applicable code)."""
    candidates = []
    if situation.receives_rsa:
        candidates.append(("rsa", rates.rsa_reduction_pct))
    if situation.lives_in_qpv:
        candidates.append(("qpv", rates.qpv_reduction_pct))
    applicable = [code for code, _pct in candidates]
    if not candidates:
        return None, 0, applicable
    best = candidates[0]
    for candidate in candidates[1:]:
        if candidate[1] > best[1]:
            best = candidate
    return best[0], best[1], applicable


def _net(unit_cents: int, quantity: int, pct: int) -> int:
    """Cumulative amount after a reduction, rounded down (in the beneficiary's favour)."""
    return unit_cents * quantity * (100 - pct) // 100


def _check_rates(rates: TariffRates) -> None:
    for pct in (rates.rsa_reduction_pct, rates.qpv_reduction_pct):
        if not 0 <= pct <= 100:
            raise QuoteError("tariff", _l("A reduction must be between 0 and 100 %."))


def quote(rates: TariffRates, *, kind: str, start: date, end: date | None, scheme: str = "bougez",
          situation: Situation | None = None, seats: int = 1,
          amendments: list[Amendment] | None = None, amie_first_month: int = 1,
          amie_max_months: int = AMIE_MAX_MONTHS, late_days: int = 0) -> Quote:
    """Price a rental (or seats) for one person: lines, total, instalments, deposit.

    `amendments` change the situation from a date on (each period is priced with the situation
    in force when it starts); AMIE months are numbered from `amie_first_month` (the person's
    month count) and may not go past `amie_max_months`; `late_days` kept after the planned
    return `end` are charged at the kind's full daily rate, due on the day of the return.
    """
    situation = situation or Situation()
    amendments = list(amendments or [])
    _check_rates(rates)
    if kind not in QUOTE_KINDS:
        raise QuoteError("kind", _l("This vehicle kind is not known."))
    if scheme not in SCHEMES:
        raise QuoteError("scheme", _l("This scheme is not known (bougez or amie)."))
    if kind in SEAT_KINDS:
        return _seat_quote(rates, kind=kind, start=start, end=end, situation=situation,
                           seats=seats)
    if end is None:
        raise QuoteError("end", _l("The return date is required."))
    days = (end - start).days
    if days < 1:
        raise QuoteError("end", _l("The return date must be after the start date."))
    if days > MAX_PERIOD_DAYS:
        raise QuoteError("end", _l("The period is too long (two years at most)."))
    if late_days < 0:
        raise QuoteError("late_days", _l("This number is too small."))
    if scheme == "amie":
        result = _amie_quote(rates, kind=kind, start=start, end=end, days=days,
                             situation=situation, amendments=amendments,
                             first_month=amie_first_month, max_months=amie_max_months)
    else:
        result = _bougez_quote(rates, kind=kind, start=start, end=end, days=days,
                               situation=situation, amendments=amendments)
    if late_days:
        _add_late_days(result, rates, late_days)
    return result


def _add_late_days(result: Quote, rates: TariffRates, late_days: int) -> None:
    """Days kept after the planned return: the full daily rate, due on the return day."""
    rate = int(rates.daily_rates_cents.get(result.kind, 0))
    amount = rate * late_days
    returned_on = result.end + timedelta(days=late_days)
    result.lines.append(Line("late_days", late_days, rate, amount, {"kind": result.kind}))
    result.instalments.append(Instalment(len(result.instalments) + 1, returned_on, result.end,
                                         returned_on, amount))
    result.total_cents += amount


def _membership_line(rates: TariffRates, situation: Situation) -> list[Line]:
    if not situation.membership_due or rates.membership_fee_cents <= 0:
        return []
    fee = rates.membership_fee_cents
    return [Line("membership", 1, fee, fee)]


def bougez_daily_rate(rates: TariffRates, kind: str) -> int:
    """The daily rate of a "Bougez" rental of `kind` under `rates` (it depends on nothing
    else). Raises QuoteError where `quote` would."""
    _check_rates(rates)
    if kind not in VEHICLE_KINDS:
        raise QuoteError("kind", _l("This vehicle kind is not known."))
    return int(rates.daily_rates_cents.get(kind, 0))


def bougez_reduction_and_fee(rates: TariffRates, situation: Situation) -> tuple[int, int]:
    """`(reduction percent, fee on the first instalment)` of a "Bougez" rental under `rates`
    for the person's `situation` (whatever the vehicle). Raises QuoteError where `quote`
    would."""
    _check_rates(rates)
    _reduction, pct, _applicable = choose_reduction(rates, situation)
    return pct, sum(line.amount_cents for line in _membership_line(rates, situation))


def bougez_week_terms(rates: TariffRates, kind: str, situation: Situation) -> tuple[int, int, int]:
    """`(daily rate, reduction percent, fee on the first instalment)` of a "Bougez" rental
    without amendments: `_bougez_quote` then charges instalment n (due `min(7n, days)` days
    after the start) `_net(rate, covered, pct)` cumulatively, the fee with the first; sums over
    many rentals (reports) run that arithmetic in SQL from these three numbers. Raises
    QuoteError where `quote` would."""
    return (bougez_daily_rate(rates, kind), *bougez_reduction_and_fee(rates, situation))


def _bougez_quote(rates, *, kind, start, end, days, situation, amendments=()) -> Quote:
    rate = int(rates.daily_rates_cents.get(kind, 0))
    reduction, pct, applicable = choose_reduction(rates, situation)
    gross = rate * days
    membership = _membership_line(rates, situation)
    instalments = []
    # Each week is priced with the situation in force when it starts; within one situation the
    # cumulative rounding telescopes (no cent lost), a new situation starts its own count.
    reductions: dict[tuple[str, int], int] = {}
    offset, number, segment_start, segment_pct = 0, 1, 0, None
    while offset < days:
        stop = min(offset + 7, days)
        week_reduction, week_pct, _ = choose_reduction(
            rates, _situation_on(start + timedelta(days=offset), situation, list(amendments)))
        if week_pct != segment_pct:
            segment_start, segment_pct = offset, week_pct
        amount = (_net(rate, stop - segment_start, week_pct)
                  - _net(rate, offset - segment_start, week_pct))
        if week_reduction:
            key = (week_reduction, week_pct)
            reductions[key] = reductions.get(key, 0) + amount - rate * (stop - offset)
        if number == 1:
            amount += sum(line.amount_cents for line in membership)
        period_start, period_end = start + timedelta(days=offset), start + timedelta(days=stop)
        instalments.append(Instalment(number, period_end, period_start, period_end, amount))
        offset, number = stop, number + 1
    lines = [Line("rental", days, rate, gross, {"kind": kind})]
    for (code, code_pct), amount in reductions.items():
        if amount:
            lines.append(Line("reduction", 1, amount, amount, {"reduction": code, "pct": code_pct}))
    lines += membership
    return Quote(
        kind=kind, scheme="bougez", start=start, end=end, days=days,
        total_cents=sum(line.amount_cents for line in lines),
        deposit_cents=int(rates.deposits_cents.get(kind, 0)), lines=lines,
        instalments=instalments, period="week", reduction=reduction, reduction_pct=pct,
        reductions_applicable=applicable,
    )


def amie_month_price(rates: TariffRates, month: int, resources_band: str | None) -> int:
    """The full price of month `month` (1-based) of the AMIE plan."""
    if month == 1:
        if resources_band in rates.amie_month1_cents:
            return int(rates.amie_month1_cents[resources_band])
        # unknown band: the highest month-1 price, until the advisor records the band
        return max(rates.amie_month1_cents.values(), default=0)
    ladder = rates.amie_ladder_cents
    if not ladder:
        return 0
    return int(ladder[min(month - 2, len(ladder) - 1)])


def _amie_quote(rates, *, kind, start, end, days, situation, amendments=(), first_month=1,
                max_months=AMIE_MAX_MONTHS) -> Quote:
    if kind != "car":
        raise QuoteError("kind", _l("The progressive plan (AMIE) is for cars only."))
    if first_month < 1:
        raise QuoteError("amie_first_month", _l("This number is too small."))
    if first_month - 1 + months_started(start, end) > max_months:
        raise QuoteError("end", _l(
            "The progressive plan (AMIE) lasts %(months)s months at most per person.",
            months=max_months))
    warnings = []
    if situation.resources_band not in rates.amie_month1_cents:
        warnings.append("resources_band_unknown")
    lines: list[Line] = []
    instalments: list[Instalment] = []
    membership = _membership_line(rates, situation)
    index = 0  # months of this rental; `month` is the person's month of the plan
    while add_months(start, index) < end:
        month = first_month + index
        month_start = add_months(start, index)
        full_end = add_months(start, index + 1)
        month_end = min(full_end, end)
        band = _situation_on(month_start, situation, list(amendments)).resources_band
        price = amie_month_price(rates, month, band)
        part_days, full_days = (month_end - month_start).days, (full_end - month_start).days
        amount = price if part_days == full_days else price * part_days // full_days
        lines.append(Line("amie_month", 1, price, amount,
                          {"month": month, "days": part_days, "full_days": full_days,
                           "resources_band": band if month == 1 else None}))
        extra = sum(line.amount_cents for line in membership) if index == 0 else 0
        instalments.append(Instalment(index + 1, month_end, month_start, month_end,
                                      amount + extra))
        index += 1
    lines += membership
    microcredit_on = add_months(start, max(0, max_months - first_month))
    return Quote(
        kind=kind, scheme="amie", start=start, end=end, days=days,
        total_cents=sum(line.amount_cents for line in lines),
        deposit_cents=int(rates.deposits_cents.get(kind, 0)), lines=lines,
        instalments=instalments, period="month",
        microcredit={"month": max_months, "date": microcredit_on,
                     "within_period": microcredit_on < end},
        warnings=warnings,
    )


def _seat_quote(rates, *, kind, start, end, situation, seats) -> Quote:
    if seats < 1 or seats > 500:
        raise QuoteError("seats", _l("The number of seats must be between 1 and 500."))
    unit = rates.carpool_seat_cents if kind == "carpool_seat" else rates.minibus_seat_cents
    reduction, pct, applicable = choose_reduction(rates, situation)
    gross, net_total = unit * seats, _net(unit, seats, pct)
    lines = [Line("seat", seats, unit, gross, {"kind": kind})]
    if reduction and gross != net_total:
        lines.append(Line("reduction", 1, net_total - gross, net_total - gross,
                          {"reduction": reduction, "pct": pct}))
    lines += _membership_line(rates, situation)
    total = sum(line.amount_cents for line in lines)
    period_end = end if end and end > start else start + timedelta(days=1)
    return Quote(
        kind=kind, scheme="bougez", start=start, end=end, days=(period_end - start).days,
        total_cents=total, deposit_cents=0, lines=lines,
        instalments=[Instalment(1, start, start, period_end, total)], period="once",  # paid upfront
        reduction=reduction, reduction_pct=pct, reductions_applicable=applicable,
    )
