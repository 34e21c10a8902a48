"""Form: a commute check (addresses, shift, weekdays, modes)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mobility.commute.inputs import ALL_MODES, WEEKDAY_NAMES
from mobility.commute.transit_lines import KINDS
from mobility.core.translations import lazy_gettext as _l
from mobility.people.reasons import MODE_LABELS, WEEKDAY_LABELS


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


class LineForm(FlaskForm):
    """A public-transport line: number, name, kind, stops (manual lines) and timetable."""

    ref = StringField(_l("Line number or short name"), validators=[Optional()])
    name = StringField(_l("Line name"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    stops = TextAreaField(_l("Stops, in order (one per line: \"Name; latitude; longitude\", or "
                             "the name of a stop of the map)"), validators=[Optional()])
    first_departure = StringField(_l("First departure (HH:MM)"), validators=[Optional()])
    last_departure = StringField(_l("Last departure (HH:MM, earlier: after midnight)"),
                                 validators=[Optional()])
    headway_min = StringField(_l("Every (minutes)"), validators=[Optional()])
    days = CheckboxesField(_l("Days of service"), validators=[Optional()],
                           choices=[(str(i), label) for i, label in enumerate(WEEKDAY_LABELS)])


def line_form(line=None, **kwargs) -> LineForm:
    """The line form (prefixed by the line's id), prefilled from `line` when given."""
    prefix = f"line{line.id}" if line is not None else "new"
    form = LineForm(prefix=prefix, **kwargs)
    form.kind.choices = [(k, label) for k, label in KINDS.items()]
    if line is not None and not form.is_submitted():
        form.ref.data, form.name.data, form.kind.data = line.ref, line.name, line.kind
        form.first_departure.data = (line.first_departure.strftime("%H:%M")
                                     if line.first_departure else "")
        form.last_departure.data = (line.last_departure.strftime("%H:%M")
                                    if line.last_departure else "")
        form.headway_min.data = str(line.headway_min or "")
        form.days.data = [str(d) for d in line.day_numbers]
        form.stops.data = "\n".join(f"{s['name']}; {s['lat']}; {s['lon']}" for s in line.stops)
    return form


class GtfsImportForm(FlaskForm):
    """Upload of a GTFS zip."""

    gtfs_file = FileField(_l("GTFS zip file"))
