"""The pricing rules, one example per rule, and their properties (hypothesis)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobility.core.dates import add_months
from mobility.pricing.engine import (
    QUOTE_KINDS,
    VEHICLE_KINDS,
    QuoteError,
    Situation,
    TariffRates,
    choose_reduction,
    quote,
)

RATES = TariffRates()
MONDAY = date(2026, 3, 2)


def test_a_week_from_monday_to_next_monday_is_seven_days_of_the_daily_rate():
    result = quote(RATES, kind="car", start=MONDAY, end=MONDAY + timedelta(days=7))
    assert result.days == 7
    assert result.total_cents == 7 * 500
    # due at the end of the week, at the checkpoint that closes it
    assert [(i.amount_cents, i.due_date) for i in result.instalments] == [
        (3500, MONDAY + timedelta(days=7))]


@pytest.mark.parametrize(("kind", "daily"), [
    ("car", 500), ("scooter", 200), ("moped", 200), ("bike", 100), ("e_bike", 100)])
def test_default_daily_rates_are_the_bougez_scheme(kind, daily):
    assert quote(RATES, kind=kind, start=MONDAY, end=MONDAY + timedelta(days=1)).total_cents \
        == daily


def test_rsa_recipients_ride_free_but_still_leave_a_deposit():
    result = quote(RATES, kind="car", start=MONDAY, end=MONDAY + timedelta(days=30),
                   situation=Situation(receives_rsa=True))
    assert result.total_cents == 0
    assert result.reduction == "rsa"
    assert result.deposit_cents == RATES.deposits_cents["car"] > 0
    assert [line.code for line in result.lines] == ["rental", "reduction"]
    assert all(i.amount_cents == 0 for i in result.instalments)


def test_qpv_residents_pay_half():
    result = quote(RATES, kind="scooter", start=MONDAY, end=MONDAY + timedelta(days=14),
                   situation=Situation(lives_in_qpv=True))
    assert result.total_cents == 14 * 100
    assert result.reduction == "qpv" and result.reduction_pct == 50


def test_when_both_apply_the_most_favourable_wins_and_only_it():
    situation = Situation(receives_rsa=True, lives_in_qpv=True)
    result = quote(RATES, kind="car", start=MONDAY, end=MONDAY + timedelta(days=7),
                   situation=situation)
    assert result.reduction == "rsa" and result.total_cents == 0
    assert result.reductions_applicable == ["rsa", "qpv"]
    # if the platform sets RSA below QPV, QPV is the most favourable
    rates = TariffRates(rsa_reduction_pct=30, qpv_reduction_pct=50)
    assert choose_reduction(rates, situation)[:2] == ("qpv", 50)
    # a tie keeps RSA (listed first): never both
    rates = TariffRates(rsa_reduction_pct=50, qpv_reduction_pct=50)
    result = quote(rates, kind="car", start=MONDAY, end=MONDAY + timedelta(days=2),
                   situation=situation)
    assert result.reduction == "rsa" and result.total_cents == 500


def test_reductions_round_down_in_the_beneficiary_favour_and_instalments_telescope():
    rates = TariffRates(daily_rates_cents={**RATES.daily_rates_cents, "bike": 101})
    result = quote(rates, kind="bike", start=MONDAY, end=MONDAY + timedelta(days=9),
                   situation=Situation(lives_in_qpv=True))
    # 9 * 101 = 909 cents, half is 454.5 -> 454
    assert result.total_cents == 454
    # week 1: floor(7*101/2)=353; week 2: 454-353 = 101
    assert [i.amount_cents for i in result.instalments] == [353, 101]


def test_weekly_instalments_cover_the_period_with_a_short_last_week():
    result = quote(RATES, kind="bike", start=MONDAY, end=MONDAY + timedelta(days=17))
    assert [i.amount_cents for i in result.instalments] == [700, 700, 300]
    assert result.instalments[-1].period_end == MONDAY + timedelta(days=17)
    assert result.period == "week"


def test_membership_fee_is_a_line_paid_with_the_first_instalment():
    result = quote(RATES, kind="bike", start=MONDAY, end=MONDAY + timedelta(days=14),
                   situation=Situation(membership_due=True))
    assert result.lines[-1].code == "membership"
    assert result.total_cents == 1400 + RATES.membership_fee_cents
    assert result.instalments[0].amount_cents == 700 + RATES.membership_fee_cents


@pytest.mark.parametrize(("kind", "deposit"), sorted(TariffRates().deposits_cents.items()))
def test_deposit_per_kind(kind, deposit):
    assert quote(RATES, kind=kind, start=MONDAY, end=MONDAY + timedelta(days=3)).deposit_cents \
        == deposit


def test_seats_are_priced_per_seat_with_the_same_reductions_and_no_deposit():
    result = quote(RATES, kind="carpool_seat", start=MONDAY, end=None, seats=10,
                   situation=Situation(lives_in_qpv=True))
    assert result.total_cents == 10 * RATES.carpool_seat_cents // 2
    assert result.deposit_cents == 0 and result.period == "once"
    minibus = quote(RATES, kind="minibus_seat", start=MONDAY, end=None, seats=2)
    assert minibus.total_cents == 2 * RATES.minibus_seat_cents


def test_amie_ladder_month_one_depends_on_resources_then_rises_and_proposes_microcredit():
    start = date(2026, 1, 15)
    result = quote(RATES, kind="car", start=start, end=add_months(start, 5), scheme="amie",
                   situation=Situation(resources_band="under_600"))
    amounts = [i.amount_cents for i in result.instalments]
    assert amounts == [0, 10000, 15000, 20000, 25000]
    assert amounts == sorted(amounts)
    assert result.period == "month"
    assert result.microcredit == {"month": 5, "date": date(2026, 5, 15), "within_period": True}
    richer = quote(RATES, kind="car", start=start, end=add_months(start, 5), scheme="amie",
                   situation=Situation(resources_band="over_1500"))
    assert richer.instalments[0].amount_cents == 9000 > 0


def test_amie_partial_last_month_is_prorated_down():
    start = date(2026, 1, 1)
    result = quote(RATES, kind="car", start=start, end=date(2026, 2, 15), scheme="amie",
                   situation=Situation(resources_band="600_1000"))
    # February 2026 has 28 days: 14 of them at 100 EUR -> 50 EUR
    assert [i.amount_cents for i in result.instalments] == [3000, 10000 * 14 // 28]


def test_amie_unknown_band_uses_the_highest_month_one_and_warns():
    result = quote(RATES, kind="car", start=MONDAY, end=MONDAY + timedelta(days=20),
                   scheme="amie")
    assert result.instalments[0].amount_cents == max(RATES.amie_month1_cents.values()) * 20 // 31
    assert result.warnings == ["resources_band_unknown"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "truck"}, "kind"),
    ({"scheme": "other"}, "scheme"),
    ({"end": MONDAY}, "end"),
    ({"end": MONDAY - timedelta(days=3)}, "end"),
    ({"end": None}, "end"),
    ({"scheme": "amie", "kind": "bike"}, "kind"),
    ({"scheme": "amie", "end": add_months(MONDAY, 5) + timedelta(days=1)}, "end"),
    ({"end": MONDAY + timedelta(days=800)}, "end"),
    ({"kind": "carpool_seat", "seats": 0}, "seats"),
])
def test_inputs_the_rules_cannot_price_are_refused_by_field(kwargs, field):
    arguments = {"kind": "car", "start": MONDAY, "end": MONDAY + timedelta(days=7),
                 "scheme": "bougez", **kwargs}
    with pytest.raises(QuoteError) as error:
        quote(RATES, **arguments)
    assert error.value.field == field


def test_add_months_clamps_to_the_end_of_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


# -- properties ----------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=100_000)
rates_strategy = st.builds(
    TariffRates,
    daily_rates_cents=st.fixed_dictionaries({k: cents for k in VEHICLE_KINDS}),
    deposits_cents=st.fixed_dictionaries({k: cents for k in VEHICLE_KINDS}),
    rsa_reduction_pct=st.integers(0, 100), qpv_reduction_pct=st.integers(0, 100),
    membership_fee_cents=cents, carpool_seat_cents=cents, minibus_seat_cents=cents,
    amie_month1_cents=st.fixed_dictionaries({"under_600": cents, "over_1500": cents}),
    amie_ladder_cents=st.lists(cents, min_size=4, max_size=4),
)
situations = st.builds(Situation, receives_rsa=st.booleans(), lives_in_qpv=st.booleans(),
                       resources_band=st.sampled_from([None, "under_600", "over_1500"]),
                       membership_due=st.booleans())
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def quote_inputs(draw):
    kind = draw(st.sampled_from(QUOTE_KINDS))
    scheme = "amie" if kind == "car" and draw(st.booleans()) else "bougez"
    start = draw(starts)
    limit = (add_months(start, 5) - start).days if scheme == "amie" else 400
    end = start + timedelta(days=draw(st.integers(1, limit)))
    return {"kind": kind, "scheme": scheme, "start": start, "end": end,
            "seats": draw(st.integers(1, 60))}


@settings(max_examples=300, deadline=None)
@given(rates=rates_strategy, situation=situations, inputs=quote_inputs())
def test_total_is_the_sum_of_instalments_and_of_lines_never_negative(rates, situation, inputs):
    result = quote(rates, situation=situation, **inputs)
    assert result.total_cents == sum(i.amount_cents for i in result.instalments)
    assert result.total_cents == sum(line.amount_cents for line in result.lines)
    assert result.total_cents >= 0 and result.deposit_cents >= 0
    assert all(i.amount_cents >= 0 for i in result.instalments)
    assert all(isinstance(i.amount_cents, int) for i in result.instalments)
    assert result.instalments[0].period_start == inputs["start"]
    for before, after in zip(result.instalments, result.instalments[1:], strict=False):
        assert before.period_end == after.period_start


@settings(max_examples=300, deadline=None)
@given(rates=rates_strategy, situation=situations, inputs=quote_inputs())
def test_reductions_never_raise_a_price(rates, situation, inputs):
    plain = Situation(resources_band=situation.resources_band,
                      membership_due=situation.membership_due)
    with_reductions = quote(rates, situation=situation, **inputs)
    without = quote(rates, situation=plain, **inputs)
    assert with_reductions.total_cents <= without.total_cents
    for reduced, full in zip(with_reductions.instalments, without.instalments, strict=True):
        assert reduced.amount_cents <= full.amount_cents


@settings(max_examples=200, deadline=None)
@given(rates=rates_strategy, start=starts, days=st.integers(1, 400),
       extra=st.integers(1, 60), kind=st.sampled_from(VEHICLE_KINDS), situation=situations)
def test_a_longer_rental_never_costs_less(rates, start, days, extra, kind, situation):
    short = quote(rates, kind=kind, start=start, end=start + timedelta(days=days),
                  situation=situation)
    longer = quote(rates, kind=kind, start=start, end=start + timedelta(days=days + extra),
                   situation=situation)
    assert longer.total_cents >= short.total_cents
