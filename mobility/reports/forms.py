"""The period form of the reports page (a GET form: no CSRF, it changes nothing)."""

from __future__ import annotations

from wtforms import Form, SelectField, StringField
from wtforms.fields import DateField
from wtforms.validators import InputRequired, Optional

from mobility.core.translations import lazy_gettext as _l


class PeriodForm(Form):
    start = DateField(_l("From"), validators=[InputRequired(_l("This field is required."))])
    end = DateField(_l("To (included)"),
                    validators=[InputRequired(_l("This field is required."))])
    scope = SelectField(_l("Scope"), choices=[], validate_choice=False)
    budget = StringField(_l("Budget of the period, in euros (optional)"),
                         validators=[Optional()])
