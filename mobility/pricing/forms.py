"""Forms: the admin's tariff, the advisor's quote."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mobility.core.translations import lazy_gettext as _l
from mobility.people.models import RESOURCES_BANDS
from mobility.pricing.engine import (
    DEFAULT_AMIE_LADDER_CENTS,
    DEFAULT_AMIE_MONTH1_CENTS,
    QUOTE_KINDS,
    VEHICLE_KINDS,
    TariffRates,
)
from mobility.pricing.services import KIND_LABELS, SCHEME_LABELS
from mobility.web.forms import EurosField, cents_to_euros


class TariffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    effective_from = DateField(_l("In force from"), validators=[InputRequired()])
    effective_until = DateField(_l("Until (exclusive, empty: open-ended)"),
                                validators=[Optional()])
    close_previous = BooleanField(_l("End the current open-ended tariff when this one starts"),
                                  default=True)
    rsa_reduction_pct = IntegerField(_l("Reduction for RSA recipients (%)"),
                                     validators=[InputRequired(), NumberRange(0, 100)])
    qpv_reduction_pct = IntegerField(_l("Reduction for QPV residents (%)"),
                                     validators=[InputRequired(), NumberRange(0, 100)])
    membership_fee = EurosField(_l("Annual membership fee (EUR)"), validators=[InputRequired()])
    carpool_seat = EurosField(_l("Carpool seat (EUR)"), validators=[InputRequired()])
    minibus_seat = EurosField(_l("Minibus seat (EUR)"), validators=[InputRequired()])

    def rate_fields(self):
        return [(kind, getattr(self, f"daily_{kind}"), getattr(self, f"deposit_{kind}"))
                for kind in VEHICLE_KINDS]

    def band_fields(self):
        return [getattr(self, f"month1_{band}") for band in RESOURCES_BANDS]

    def ladder_fields(self):
        return [getattr(self, f"month_{n}") for n in range(2, 6)]

    def to_rates(self) -> dict:
        return {
            "daily_rates_cents": {k: getattr(self, f"daily_{k}").cents for k in VEHICLE_KINDS},
            "deposits_cents": {k: getattr(self, f"deposit_{k}").cents for k in VEHICLE_KINDS},
            "rsa_reduction_pct": self.rsa_reduction_pct.data,
            "qpv_reduction_pct": self.qpv_reduction_pct.data,
            "membership_fee_cents": self.membership_fee.cents,
            "carpool_seat_cents": self.carpool_seat.cents,
            "minibus_seat_cents": self.minibus_seat.cents,
            "amie_month1_cents": {b: getattr(self, f"month1_{b}").cents for b in RESOURCES_BANDS},
            "amie_ladder_cents": [getattr(self, f"month_{n}").cents for n in range(2, 6)],
        }

    def fill_from(self, rates: TariffRates) -> None:
        for kind in VEHICLE_KINDS:
            getattr(self, f"daily_{kind}").data = cents_to_euros(rates.daily_rates_cents[kind])
            getattr(self, f"deposit_{kind}").data = cents_to_euros(rates.deposits_cents[kind])
        self.rsa_reduction_pct.data = rates.rsa_reduction_pct
        self.qpv_reduction_pct.data = rates.qpv_reduction_pct
        self.membership_fee.data = cents_to_euros(rates.membership_fee_cents)
        self.carpool_seat.data = cents_to_euros(rates.carpool_seat_cents)
        self.minibus_seat.data = cents_to_euros(rates.minibus_seat_cents)
        for band in RESOURCES_BANDS:
            getattr(self, f"month1_{band}").data = cents_to_euros(
                rates.amie_month1_cents.get(band, DEFAULT_AMIE_MONTH1_CENTS.get(band, 0)))
        ladder = rates.amie_ladder_cents or DEFAULT_AMIE_LADDER_CENTS
        for n in range(2, 6):
            getattr(self, f"month_{n}").data = cents_to_euros(ladder[min(n - 2, len(ladder) - 1)])


for _kind in VEHICLE_KINDS:
    setattr(TariffForm, f"daily_{_kind}", EurosField(
        _l("%(kind)s: daily rate (EUR)", kind=KIND_LABELS[_kind]), validators=[InputRequired()]))
    setattr(TariffForm, f"deposit_{_kind}", EurosField(
        _l("%(kind)s: deposit (EUR)", kind=KIND_LABELS[_kind]), validators=[InputRequired()]))
for _band, _label in RESOURCES_BANDS.items():
    setattr(TariffForm, f"month1_{_band}", EurosField(
        _l("AMIE month 1, resources %(band)s (EUR)", band=_label), validators=[InputRequired()]))
for _n in range(2, 6):
    setattr(TariffForm, f"month_{_n}", EurosField(
        _l("AMIE month %(n)d (EUR)", n=_n), validators=[InputRequired()]))


class QuoteForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    # chosen first in "For whom?" (a search), carried as a hidden field
    beneficiary_id = HiddenField(validators=[InputRequired()])
    q = StringField(_l("Name or phone number"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Vehicle or seat"), choices=[(k, KIND_LABELS[k]) for k in QUOTE_KINDS])
    scheme = SelectField(_l("Scheme"), choices=list(SCHEME_LABELS.items()))
    start = DateField(_l("Start date"), validators=[InputRequired()])
    end = DateField(_l("Return date"), validators=[Optional()])
    seats = IntegerField(_l("Seats (carpool, minibus)"), default=1,
                         validators=[Optional(), NumberRange(1, 500)])
