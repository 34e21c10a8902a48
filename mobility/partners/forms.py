"""Forms of the partner pages (webhooks, published offer, SIRETs, ProConnect attachments)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mobility.core.translations import lazy_gettext as _l
from mobility.partners.models import EVENTS
from mobility.security import FiniteFloatField


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebhookForm(FlaskForm):
    url = StringField(_l("Address (URL) of the endpoint"),
                      validators=[InputRequired(), Length(max=2000)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])
    events = MultiCheckboxField(_l("Events"), choices=[(k, v) for k, v in EVENTS.items()])


class ButtonForm(FlaskForm):
    """A button (CSRF token only)."""


class StructureForm(FlaskForm):
    published = BooleanField(_l("Publish the structure to data·inclusion"))
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=150)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    address_complement = StringField(_l("Address complement"),
                                     validators=[Optional(), Length(max=255)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=5)])
    city = StringField(_l("Municipality"), validators=[Optional(), Length(max=100)])
    insee_code = StringField(_l("INSEE municipality code"),
                             validators=[Optional(), Length(max=5)])
    latitude = FiniteFloatField(_l("Latitude"), validators=[Optional()])
    longitude = FiniteFloatField(_l("Longitude"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=500)])
    opening_hours = StringField(_l("Opening hours (OpenStreetMap format)"),
                                validators=[Optional(), Length(max=255)])


class ServiceForm(FlaskForm):
    published = BooleanField(_l("Publish this service"))
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=150)])
    description = TextAreaField(_l("Description"), validators=[InputRequired()])
    fees = SelectField(_l("Fees"), choices=[("gratuit", _l("Free")), ("payant", _l("Fee-paying"))])
    fees_details = StringField(_l("Fee details"), validators=[Optional(), Length(max=500)])
    audiences = MultiCheckboxField(_l("Audiences"))
    audiences_details = StringField(_l("Audience details"),
                                    validators=[Optional(), Length(max=1000)])
    access_conditions = StringField(_l("Access conditions"),
                                    validators=[Optional(), Length(max=1000)])
    referral_details = StringField(_l("How to refer a person"),
                                   validators=[Optional(), Length(max=1000)])
    eligibility_zone = StringField(_l("Eligibility zone (département or municipality codes)"),
                                   validators=[Optional(), Length(max=500)])


class SiretForm(FlaskForm):
    siret = StringField(_l("SIRET"), validators=[Optional(), Length(max=20)])


class AttachForm(FlaskForm):
    user_id = SelectField(_l("Account"), coerce=int)
