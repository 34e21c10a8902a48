"""Forms: a payment, the deposit, keeping part of it, the price plan."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from mobility.core.translations import lazy_gettext as _l
from mobility.payments.models import DEPOSIT_METHOD_LABELS, PAYMENT_METHOD_LABELS
from mobility.pricing.services import SCHEME_LABELS
from mobility.web.forms import EurosField

IN_PERSON = ("cash", "cheque", "card_terminal")


class PaymentForm(FlaskForm):
    amount = EurosField(_l("Amount (EUR)"), validators=[InputRequired()])
    method = SelectField(_l("Paid by"), choices=[
        (k, label) for k, label in PAYMENT_METHOD_LABELS.items()])
    reference = StringField(_l("Cheque or receipt number"), validators=[Optional(),
                                                                        Length(max=80)])
    paid_on = DateField(_l("Paid on"), validators=[Optional()])
    #: one-time token: the same form sent twice (double click, back and resend) records once
    once = HiddenField(default=lambda: secrets.token_urlsafe(16),
                       validators=[DataRequired(), Length(max=64)])

    def validate_amount(self, field):
        if field.cents is not None and field.cents <= 0:
            raise ValidationError(_l("Enter an amount above zero."))


class SchemeForm(FlaskForm):
    scheme = SelectField(_l("Price plan"), choices=list(SCHEME_LABELS.items()))


class DepositForm(FlaskForm):
    method = SelectField(_l("Deposit taken by"))
    reference = StringField(_l("Cheque or receipt number"), validators=[Optional(),
                                                                        Length(max=80)])

    def __init__(self, *args, stripe_on: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(k, DEPOSIT_METHOD_LABELS[k]) for k in IN_PERSON]
        if stripe_on:
            choices.append(("stripe", _l("Bank card through Stripe (saved or held)")))
        self.method.choices = choices


class KeepForm(FlaskForm):
    amount = EurosField(_l("Amount kept (EUR)"), validators=[InputRequired()])
    damage_note = TextAreaField(_l("Documented damage"),
                                validators=[DataRequired(), Length(max=2000)])
