"""What the fleet's pages share: the choices they offer (sites, beneficiaries), a refusal
flashed in words, euros as cents, the CSRF check of a bare action and the way back."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, request
from flask_login import current_user
from flask_wtf import FlaskForm

from fleet.models import Site
from mobility.auth.policies import scoped
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.translations import gettext as _
from mobility.core.translations import lazy_gettext as _l
from mobility.people.models import Beneficiary
from mobility.rentals import lifecycle


def platform_sites() -> list[Site]:
    """The user's platform's sites, by name."""
    return list(db.session.scalars(scoped(Site, current_user).order_by(Site.name)))


def beneficiary_choices() -> list[tuple[int, str]]:
    """The platform's beneficiaries as `(id, "LAST First")` choices, by name."""
    people = db.session.scalars(
        scoped(Beneficiary, current_user).order_by(Beneficiary.last_name, Beneficiary.first_name))
    return [(b.id, f"{b.last_name.upper()} {b.first_name}") for b in people]


def flash_refusal(error: DomainError) -> None:
    """A refused action as one flash message: the explanation, its details, the conflicts."""
    message = lifecycle.explain(error)
    if isinstance(error.details, dict):
        extra = [str(v) for k, v in error.details.items() if k not in ("conflicts",)
                 and not isinstance(v, list | dict | int)]
        if extra:
            message += " " + " ".join(extra)
        for conflict in error.details.get("conflicts", []):
            message += " " + _("Rental %(id)s: %(start)s → %(end)s.", id=conflict["rental_id"],
                               start=conflict["start"], end=conflict["end"])
    flash(message, "error")


def to_cents(value: Decimal | None) -> int | None:
    """Euros typed in a decimal field, as integer cents."""
    return None if value is None else int((value * 100).to_integral_value())


def check_csrf() -> None:
    """A 400 when a bare action's form (a button) lost its CSRF token."""
    if not FlaskForm().validate_on_submit():
        raise ValidationFailed(_l("The form expired or was sent twice. Please check it and "
                                  "send it again."))


def redirect_back(default: str):
    """Back to the page named by the form's `next` (a local path only), else `default`."""
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(default)
