"""Form: a commute check (addresses, shift, weekdays, modes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mobility.commute.services import ALL_MODES, MODE_LABELS, WEEKDAY_LABELS, WEEKDAY_NAMES


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CommuteForm(FlaskForm):
    origin = StringField(_l("Home address (departure)"),
                         validators=[InputRequired(), Length(max=300)])
    destination = StringField(_l("Workplace address (arrival)"),
                              validators=[InputRequired(), Length(max=300)])
    arrive_by = TimeField(_l("Shift start (be at work by)"), validators=[Optional()])
    leave_at = TimeField(_l("Shift end (leave work at)"), validators=[Optional()])
    days = CheckboxesField(_l("Working days"), validators=[Optional()],
                           choices=list(zip(WEEKDAY_NAMES, WEEKDAY_LABELS, strict=True)))
    modes = CheckboxesField(_l("Modes to check"), validators=[Optional()],
                            choices=[(m, MODE_LABELS[m]) for m in ALL_MODES])


def commute_form(**defaults) -> CommuteForm:
    """The form, with weekdays Monday–Friday and every mode ticked unless given."""
    defaults.setdefault("days", list(WEEKDAY_NAMES[:5]))
    defaults.setdefault("modes", list(ALL_MODES))
    return CommuteForm(**defaults)
