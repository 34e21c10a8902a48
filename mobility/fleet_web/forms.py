"""Fleet forms (French labels through the catalog)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from fleet.models import (
    DRIVER_KIND_LABELS,
    MAINTENANCE_KIND_LABELS,
    SITE_KIND_LABELS,
    VEHICLE_KIND_LABELS,
    VEHICLE_STATUS_LABELS,
    WEEKDAY_LABELS,
)
from mobility.core.translations import lazy_gettext as _l
from mobility.security import FiniteDecimalField


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SiteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of site"), choices=list(SITE_KIND_LABELS.items()))
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    opening_hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])


class VehicleForm(FlaskForm):
    kind = SelectField(_l("Kind of vehicle"), choices=list(VEHICLE_KIND_LABELS.items()))
    site_id = SelectField(_l("Site"), coerce=int)
    plate = StringField(_l("Number plate or frame number"),
                        validators=[DataRequired(), Length(max=40)])
    label = StringField(_l("Model"), validators=[Optional(), Length(max=120)])
    odometer_km = IntegerField(_l("Odometer (km)"), default=0,
                               validators=[InputRequired(), NumberRange(min=0)])
    energy_level_pct = IntegerField(_l("Fuel or battery level (%)"),
                                    validators=[Optional(), NumberRange(min=0, max=100)])
    status = SelectField(_l("Status"), choices=[
        (k, v) for k, v in VEHICLE_STATUS_LABELS.items() if k not in ("rented", "immobilised")])
    insurance_policy = StringField(_l("Insurance policy number"),
                                   validators=[Optional(), Length(max=80)])
    insurance_expires_on = DateField(_l("Insurance expires on"), validators=[Optional()])
    technical_inspection_expires_on = DateField(_l("Technical inspection expires on"),
                                                validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])


class PhotoForm(FlaskForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"))


class AvailabilityForm(FlaskForm):
    class Meta:
        csrf = False

    # a link may leave out the kind or the site (any); the search refuses an unknown kind
    # itself and only looks at the platform's own sites
    kind = SelectField(_l("Kind of vehicle"), validate_choice=False,
                       choices=[("", _l("Any kind"))] + list(VEHICLE_KIND_LABELS.items()))
    site_id = SelectField(_l("Site"), coerce=lambda v: int(v) if v else None,
                          validate_choice=False)
    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("Planned return date"), validators=[InputRequired()])
    beneficiary_id = IntegerField(validators=[Optional()])
    q = StringField(_l("Name or phone number"), validators=[Optional(), Length(max=100)])


class BookingForm(FlaskForm):
    #: chosen first on the availability page (searched, never a list of every person); the
    #: booking checks the person belongs to the platform and has a pathway in progress
    beneficiary_id = IntegerField(_l("Beneficiary"), validators=[InputRequired()])
    vehicle_id = IntegerField(_l("Vehicle"), validators=[InputRequired()])
    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("Planned return date"), validators=[InputRequired()])
    scheme = SelectField(_l("Scheme"), choices=[("bougez", _l("Daily rate (Bougez)")),
                                                ("amie", _l("Progressive plan (AMIE)"))],
                         default="bougez")
    no_assessment_reason = TextAreaField(
        _l("Why book before the entry assessment (if it is not recorded)"),
        validators=[Optional(), Length(max=2000)])
    second_vehicle_reason = TextAreaField(
        _l("Why a second vehicle of the same kind (if the person already has one)"),
        validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(min=10, max=2000)])


class SettleForm(FlaskForm):
    kept = FiniteDecimalField(_l("Part of the deposit kept (€)"), places=2,
                        validators=[Optional(), NumberRange(min=0)])
    damage_note = TextAreaField(_l("Damage that justifies it"),
                                validators=[Optional(), Length(max=2000)])
    waive_late_days_reason = TextAreaField(_l("Reason for not charging the late days"),
                                           validators=[Optional(), Length(max=2000)])


class EndDateForm(FlaskForm):
    end = DateField(_l("New planned return date"), validators=[InputRequired()])


class InspectionForm(FlaskForm):
    odometer_km = IntegerField(_l("Odometer (km)"),
                               validators=[InputRequired(), NumberRange(min=0)])
    energy_level_pct = IntegerField(_l("Fuel or battery level (%)"),
                                    validators=[Optional(), NumberRange(min=0, max=100)])
    checklist = MultiCheckboxField(_l("In good order"), choices=[])
    damage_notes = TextAreaField(_l("Damage notes"), validators=[Optional()])
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"))
    open_maintenance = BooleanField(_l("New damage: open a repair job"))
    immobilise = BooleanField(_l("Keep the vehicle in maintenance"))
    signoff_name = StringField(_l("Beneficiary's first and last name (typed by them)"),
                               validators=[Optional(), Length(max=200)])
    signoff_checked = BooleanField(_l("I have checked the condition report"))


class SignOffForm(FlaskForm):
    """The beneficiary's sign-off of a condition report, after the inspection."""

    signoff_name = StringField(_l("Beneficiary's first and last name (typed by them)"),
                               validators=[Optional(), Length(max=200)])
    signoff_checked = BooleanField(_l("I have checked the condition report"))


class ReturnSlotForm(FlaskForm):
    site_id = SelectField(_l("Return site"), coerce=int)
    slot_at = DateTimeLocalField(_l("Return slot"), format="%Y-%m-%dT%H:%M",
                                 validators=[InputRequired()])


class MaintenanceForm(FlaskForm):
    kind = SelectField(_l("Kind of job"), choices=list(MAINTENANCE_KIND_LABELS.items()))
    description = TextAreaField(_l("Description"), validators=[Optional()])
    due_on = DateField(_l("Due on"), validators=[Optional()])
    due_odometer_km = IntegerField(_l("Due at (km)"), validators=[Optional(), NumberRange(min=0)])
    cost = FiniteDecimalField(_l("Estimated cost (EUR)"), places=2,
                        validators=[Optional(), NumberRange(min=0)])


class CompleteJobForm(FlaskForm):
    cost = FiniteDecimalField(_l("Cost (EUR)"), places=2,
                              validators=[Optional(), NumberRange(min=0)])


class ImmobiliseForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class RideForm(FlaskForm):
    driver_kind = SelectField(_l("Driver"), choices=list(DRIVER_KIND_LABELS.items()))
    driver_name = StringField(_l("Driver's name"), validators=[DataRequired(), Length(max=200)])
    driver_phone = StringField(_l("Driver's phone"), validators=[Optional(), Length(max=32)])
    driver_beneficiary_id = SelectField(_l("Driving beneficiary"),
                                        coerce=lambda v: int(v) if v else None)
    origin = StringField(_l("From"), validators=[DataRequired(), Length(max=300)])
    destination = StringField(_l("To"), validators=[DataRequired(), Length(max=300)])
    weekdays = MultiCheckboxField(_l("Days"), coerce=int,
                                  choices=list(enumerate(WEEKDAY_LABELS)), default=[0, 1, 2, 3, 4])
    departure_time = TimeField(_l("Departure time"), validators=[InputRequired()])
    return_time = TimeField(_l("Return time"), validators=[Optional()])
    seats = IntegerField(_l("Seats offered"), default=3,
                         validators=[InputRequired(), NumberRange(min=1, max=8)])
    valid_from = DateField(_l("From"), validators=[InputRequired()])
    valid_until = DateField(_l("Until"), validators=[Optional()])


class SeatForm(FlaskForm):
    beneficiary_id = SelectField(_l("Beneficiary"), coerce=int)
    ride_date = DateField(_l("Date"), validators=[InputRequired()])


class RunForm(FlaskForm):
    name = StringField(_l("Name of the run"), validators=[DataRequired(), Length(max=200)])
    run_date = DateField(_l("Date"), validators=[InputRequired()])
    departure_time = TimeField(_l("Departure time"), validators=[InputRequired()])
    driver_name = StringField(_l("Driver's name"), validators=[DataRequired(), Length(max=200)])
    capacity = IntegerField(_l("Seats"), default=8,
                            validators=[InputRequired(), NumberRange(min=1, max=30)])
    stops = TextAreaField(_l("Stops, one per line, in order"), validators=[DataRequired()])


class MinibusSeatForm(FlaskForm):
    beneficiary_id = SelectField(_l("Beneficiary"), coerce=int)
    stop_id = SelectField(_l("Pick-up stop"), coerce=lambda v: int(v) if v else None)
    charter_accepted = BooleanField(_l("The passenger accepts the service charter"))
