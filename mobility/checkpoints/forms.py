"""Form: the checkpoint screen (checklist fields are added per vehicle kind)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from fleet.models import CHECKLIST_LABELS, CHECKLISTS
from mobility.core.translations import lazy_gettext as _l
from mobility.payments.models import PAYMENT_METHOD_LABELS
from mobility.web.forms import EurosField

CONDITION_CHOICES = [("ok", _l("Good order")), ("issue", _l("Something to note"))]


class CheckpointForm(FlaskForm):
    date = DateField(_l("Date"), validators=[InputRequired()])
    odometer_km = IntegerField(_l("Odometer (km)"), validators=[InputRequired(),
                                                               NumberRange(min=0)])
    condition_note = TextAreaField(_l("Condition: remarks"), validators=[Optional(),
                                                                         Length(max=2000)])
    amount = EurosField(_l("Payment received (EUR)"), validators=[Optional()])
    method = SelectField(_l("Paid by"), choices=[("", "—")] + [
        (k, label) for k, label in PAYMENT_METHOD_LABELS.items()], validators=[Optional()])
    reference = StringField(_l("Cheque or receipt number"), validators=[Optional(),
                                                                        Length(max=80)])
    note = TextAreaField(_l("Advisor's note (not sent)"), validators=[Optional(),
                                                                     Length(max=5000)])
    exit_solution = TextAreaField(_l("Work on the exit solution"),
                                  validators=[Optional(), Length(max=2000)])
    next_date = DateField(_l("Next checkpoint"), validators=[Optional()])
    next_time = TimeField(_l("Time of the next checkpoint"), validators=[Optional()])
    #: a site of the platform, or "" for a place written below (choices set by the view)
    next_site_id = SelectField(_l("Place of the next checkpoint"), choices=[],
                               validators=[Optional()])
    next_place = StringField(_l("Other place (address)"), validators=[Length(max=200)])
    send_to_referent = BooleanField(_l("Send the summary to the referent"), default=True)

    def set_sites(self, sites, default_site_id: int | None) -> None:
        """The platform's sites as choices, the rental's site chosen unless typed otherwise."""
        self.next_site_id.choices = [(str(s.id), s.name) for s in sites] + [
            ("", str(_l("Another place: write it below")))]
        if not self.is_submitted() and default_site_id is not None:
            self.next_site_id.data = str(default_site_id)

    def validate_next_place(self, field) -> None:
        """"Another place" needs the place written (a form sent without the place fields
        keeps the default: the rental's site)."""
        chose_other = bool(self.next_site_id.raw_data) and not self.next_site_id.data
        if chose_other and not (field.data or "").strip():
            raise ValidationError(_l("Write where the next checkpoint takes place, or choose "
                                     "a site."))

    def appointment_place(self) -> tuple[int | None, str | None]:
        """(site id, None) when a site is chosen, else (None, the place as written)."""
        if self.next_site_id.data:
            return int(self.next_site_id.data), None
        return None, (self.next_place.data or "").strip() or None

    def checklist_fields(self):
        return [getattr(self, f"item_{item}") for item in self._items
                if hasattr(self, f"item_{item}")]

    def condition(self) -> dict:
        """Item -> True (good order) / False (to note); the form refuses unanswered items."""
        return {item: getattr(self, f"item_{item}").data == "ok" for item in self._items}

    def payment(self) -> dict | None:
        if self.amount.cents is None and not self.method.data:
            return None
        return {"amount_cents": self.amount.cents if self.amount.cents is not None else -1,
                "method": self.method.data or "", "reference": self.reference.data}


def checkpoint_form(kind: str, **kwargs) -> CheckpointForm:
    """The form with one question per checklist item of this vehicle kind: "good order" or "to
    note", nothing chosen beforehand, so that an item left unanswered is refused (a pre-ticked
    "good order" once archived a noted scratch as "Bodywork: good order")."""
    items = CHECKLISTS.get(kind, ())

    class KindForm(CheckpointForm):
        _items = items

    for item in items:
        setattr(KindForm, f"item_{item}", RadioField(
            CHECKLIST_LABELS[item], choices=CONDITION_CHOICES, default=None,
            validators=[InputRequired(message=_l("Say whether this item is in good order or "
                                                 "has something to note."))]))
    return KindForm(**kwargs)
