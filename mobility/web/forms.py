"""What every feature's forms share: a refusal put on the form, the POST flow, euro amounts.

A service refuses with a `DomainError` whose `details` map field names to messages; the form
shows each next to its field (the page's error summary lists and links them), and anything
that belongs to no field as a flash message, so nothing a person must fix goes unsaid.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from flask import flash
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError as WTFValidationError

from mobility.core.errors import DomainError
from mobility.core.translations import lazy_gettext as _l

T = TypeVar("T")


def errors_onto_form(form: FlaskForm, error: DomainError) -> None:
    """Put a refusal on the form: each detail on its field (`"licences.0.valid_until"` on
    `licences`), details about no field and a refusal without details as flash messages."""
    details = error.details if isinstance(error.details, dict) else {}
    placed = False
    for name, message in details.items():
        field = form._fields.get(str(name).split(".")[0])
        if field is not None:
            field.errors = [*list(field.errors or []), str(message)]
            placed = True
        elif not isinstance(message, dict | list | tuple):
            flash(str(message), "error")
            placed = True
    if not placed:
        flash(str(error.message), "error")


def attempt(form: FlaskForm, action: Callable[[], T]) -> tuple[T | None, int]:
    """The POST flow of a form: validate, run `action`, and on a refusal keep the form as typed
    with the reasons on it. Returns `(result, 200)`, or `(None, status)` with 400 for fields
    that do not validate and the refusal's own status (409, 422...) for a `DomainError`."""
    if not form.validate_on_submit():
        return None, 400
    try:
        return action(), 200
    except DomainError as error:
        errors_onto_form(form, error)
        return None, error.status


def euros_to_cents(text: str | None) -> int:
    """'12,50' or '12.5' euros as 1250 cents; more than two decimals or a negative is refused."""
    raw = (text or "").strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValueError("not an amount")
    return int(value * 100)


def cents_to_euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


class EurosField(StringField):
    """An amount in euros typed by a person, read as integer cents (`.cents`)."""

    cents: int | None = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.cents = None
        if self.data not in (None, ""):
            try:
                self.cents = euros_to_cents(self.data)
            except ValueError:
                self.cents = None

    def pre_validate(self, form):
        if self.data not in (None, "") and self.cents is None:
            raise WTFValidationError(_l("Enter an amount in euros, zero or more, with at most "
                                        "two decimals (e.g. 12,50)."))
