"""Web forms of the people pages (labels are English msgids, shown in French)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mobility.core.translations import lazy_gettext as _l
from mobility.organisations.models import ORGANISATION_KINDS
from mobility.people.models import (
    CONTRACT_TYPES,
    DOCUMENT_KINDS,
    EMPLOYMENT_KINDS,
    EXIT_EMPLOYMENT,
    EXIT_REASONS,
    EXIT_SOLUTIONS,
    GENDERS,
    NOTE_KINDS,
    OBSTACLES,
    REFERRAL_REASONS,
    RESOURCES_BANDS,
    SCHEMES,
)

EMPTY = ("", "—")


def _choices(mapping: dict, *, empty: bool = True) -> list[tuple[str, Any]]:
    return ([EMPTY] if empty else []) + list(mapping.items())


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonFields:
    """Identity and contact, shared by the beneficiary and referral forms."""

    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    birth_date = DateField(_l("Birth date"), validators=[Optional()])
    gender = SelectField(_l("Gender"), choices=_choices(GENDERS), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(), Length(max=254)])
    address = StringField(_l("Home address"), validators=[Optional(), Length(max=300)])


class BeneficiaryForm(PersonFields, FlaskForm):
    receives_rsa = BooleanField(_l("Receives the RSA"))
    lives_in_qpv = BooleanField(_l("Lives in a priority neighbourhood (QPV)"))
    resources_band = SelectField(_l("Monthly resources"), choices=_choices(RESOURCES_BANDS),
                                 validators=[Optional()])
    has_disability = BooleanField(_l("Recognised disability"))
    health_constraints = TextAreaField(_l("Health constraints"),
                                       validators=[Optional(), Length(max=2000)])
    obstacles = MultiCheckboxField(_l("Mobility obstacles"), choices=_choices(OBSTACLES,
                                                                              empty=False))
    has_licence_b = BooleanField(_l("Holds a driving licence B"))
    licence_b_since = DateField(_l("Licence B obtained on"), validators=[Optional()])
    licence_b_valid_until = DateField(_l("Licence B valid until (if limited)"),
                                      validators=[Optional()])
    licence_b_suspended = BooleanField(_l("Licence B suspended"))
    licence_a1_training = BooleanField(_l("7-hour training for a 125 cm³ done (B licence)"))
    licence_am_on = DateField(_l("AM licence (moped) obtained on"), validators=[Optional()])
    licence_a1_on = DateField(_l("A1 licence (125 cm³) obtained on"), validators=[Optional()])
    licence_a2_on = DateField(_l("A2 licence obtained on"), validators=[Optional()])
    licence_a_on = DateField(_l("A licence obtained on"), validators=[Optional()])
    employment_kind = SelectField(_l("Situation"), choices=_choices(EMPLOYMENT_KINDS),
                                  validators=[Optional()])
    employer = StringField(_l("Employer or training centre"),
                           validators=[Optional(), Length(max=200)])
    workplace_address = StringField(_l("Workplace or training address"),
                                    validators=[Optional(), Length(max=300)])
    contract_type = SelectField(_l("Contract type"), choices=_choices(CONTRACT_TYPES),
                                validators=[Optional()])
    contract_start = DateField(_l("Contract start"), validators=[Optional()])
    contract_end = DateField(_l("Contract end"), validators=[Optional()])
    shift_start = TimeField(_l("Shift starts at"), validators=[Optional()])
    shift_end = TimeField(_l("Shift ends at"), validators=[Optional()])
    shift_notes = StringField(_l("Hours and shifts (days, nights, weekends)"),
                              validators=[Optional(), Length(max=200)])
    membership_date = DateField(_l("Member of the association since"), validators=[Optional()])
    membership_fee_paid = BooleanField(_l("Membership fee paid"))
    referent_id = SelectField(_l("Referent"), coerce=lambda v: int(v) if v else None,
                              validators=[Optional()])

    FIELDS = ("first_name", "last_name", "birth_date", "gender", "phone", "email", "address",
              "receives_rsa", "lives_in_qpv", "resources_band", "has_disability",
              "health_constraints", "obstacles", "has_licence_b", "licence_b_since",
              "employment_kind", "employer", "workplace_address", "contract_type",
              "contract_start", "contract_end", "shift_start", "shift_end", "shift_notes",
              "membership_date", "membership_fee_paid", "referent_id")


class ReferralForm(PersonFields, FlaskForm):
    organisation_id = SelectField(_l("Partner organisation"),
                                  coerce=lambda v: int(v) if v else None)
    reason = SelectField(_l("Reason for the referral"), choices=_choices(REFERRAL_REASONS),
                         validators=[DataRequired()])
    employer = StringField(_l("Employer or training centre"),
                           validators=[Optional(), Length(max=200)])
    workplace_address = StringField(_l("Workplace or training address"),
                                    validators=[Optional(), Length(max=300)])
    schedule = StringField(_l("Schedule (days and hours)"), validators=[Optional(),
                                                                       Length(max=200)])
    shift_start = TimeField(_l("Shift starts at"), validators=[Optional()])
    shift_end = TimeField(_l("Shift ends at"), validators=[Optional()])
    night_shifts = BooleanField(_l("Night shifts"))
    early_shifts = BooleanField(_l("Early shifts (before 6 am)"))
    contract_type = SelectField(_l("Contract type"), choices=_choices(CONTRACT_TYPES),
                                validators=[Optional()])
    contract_start = DateField(_l("Contract start"), validators=[Optional()])
    contract_end = DateField(_l("Contract end"), validators=[Optional()])
    obstacles = MultiCheckboxField(_l("Known obstacles"), choices=_choices(OBSTACLES,
                                                                           empty=False))
    comment = TextAreaField(_l("Comment for the advisor"), validators=[Optional(),
                                                                      Length(max=4000)])
    consent = BooleanField(_l("The person agrees to share these data with the mobility "
                              "platform"))

    FIELDS = ("organisation_id", "first_name", "last_name", "birth_date", "gender", "phone",
              "email", "address", "reason", "employer", "workplace_address", "schedule",
              "shift_start", "shift_end", "night_shifts", "early_shifts", "contract_type",
              "contract_start", "contract_end", "obstacles", "comment", "consent")


class AcceptForm(FlaskForm):
    beneficiary_id = SelectField(_l("Link to an existing file"),
                                 coerce=lambda v: int(v) if v else None,
                                 validators=[Optional()])


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the prescriber will see it)"),
                           validators=[DataRequired(), Length(max=2000)])


class NoteForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(NOTE_KINDS, empty=False))
    noted_on = DateField(_l("Date"), validators=[Optional()])
    text = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=8000)])


class FeedbackForm(FlaskForm):
    summary = TextAreaField(_l("Summary for the referent"),
                            validators=[DataRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    kind = SelectField(_l("Action"), choices=[
        ("coaching", _l("Individual coaching session")),
        ("partner_referral", _l("Referral to a partner operator")),
    ])
    done_on = DateField(_l("Date"), validators=[Optional()])
    title = StringField(_l("Subject"), validators=[Optional(), Length(max=200)])
    partner_organisation_id = SelectField(_l("Partner operator"),
                                          coerce=lambda v: int(v) if v else None,
                                          validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class ExitForm(FlaskForm):
    exit_date = DateField(_l("Exit date"), validators=[DataRequired()])
    reason = SelectField(_l("Reason"), choices=_choices(EXIT_REASONS), validators=[DataRequired()])
    solution = SelectField(_l("Lasting mobility solution"), choices=_choices(EXIT_SOLUTIONS),
                           validators=[DataRequired()])
    employment = SelectField(_l("Employment outcome"), choices=_choices(EXIT_EMPLOYMENT),
                             validators=[DataRequired()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class OverrideForm(FlaskForm):
    scheme = SelectField(_l("Scheme"), choices=_choices(SCHEMES, empty=False))
    justification = TextAreaField(_l("Written justification"),
                                  validators=[DataRequired(), Length(max=4000)])


class SessionForm(FlaskForm):
    title = StringField(_l("Workshop"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    duration_min = IntegerField(_l("Duration (minutes)"), default=120,
                                validators=[DataRequired(), NumberRange(15, 480)])
    capacity = IntegerField(_l("Capacity (people)"), default=8,
                            validators=[DataRequired(), NumberRange(1, 100)])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=200)])


class AttendeeForm(FlaskForm):
    beneficiary_id = SelectField(_l("Beneficiary"), coerce=lambda v: int(v) if v else None,
                                 validators=[DataRequired()])


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=_choices(ORGANISATION_KINDS, empty=False))


class ReferentForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    user_id = SelectField(_l("Prescriber login"), coerce=lambda v: int(v) if v else None,
                          validators=[Optional()])


class SettingsForm(FlaskForm):
    config = TextAreaField(_l("Overrides (JSON)"), validators=[Optional()])


#: the other licences' date fields of the file form
LICENCE_DATE_FIELDS = {"AM": "licence_am_on", "A1": "licence_a1_on", "A2": "licence_a2_on",
                       "A": "licence_a_on"}


def licences_from_form(form: FlaskForm, current: list | None = None) -> list[dict[str, Any]]:
    """The `licences` list the file form describes (B from its fields, the others by date)."""
    items = []
    if form.has_licence_b.data or form.licence_b_since.data:
        items.append({"category": "B", "obtained_on": form.licence_b_since.data,
                      "valid_until": form.licence_b_valid_until.data,
                      "suspended": bool(form.licence_b_suspended.data),
                      "a1_training": bool(form.licence_a1_training.data)})
    for category, name in LICENCE_DATE_FIELDS.items():
        obtained = getattr(form, name).data
        kept = next((item for item in current or [] if item.get("category") == category), None)
        if obtained is not None:
            items.append({"category": category, "obtained_on": obtained,
                          "valid_until": (kept or {}).get("valid_until"),
                          "suspended": bool((kept or {}).get("suspended"))})
    return items


def fill_licences(form: FlaskForm, licences) -> None:
    """Show a file's licences in the form's fields."""
    for item in licences:
        if item.category == "B":
            form.licence_b_valid_until.data = item.valid_until
            form.licence_b_suspended.data = item.suspended
            form.licence_a1_training.data = item.a1_training
        elif item.category in LICENCE_DATE_FIELDS:
            getattr(form, LICENCE_DATE_FIELDS[item.category]).data = item.obtained_on


def form_values(form: FlaskForm, names) -> dict[str, Any]:
    """The form's data for these fields; empty strings become None, checkbox lists lists."""
    values = {}
    for name in names:
        value = getattr(form, name).data
        if isinstance(value, str):
            value = value.strip() or None
        values[name] = value
    return values


class DocumentForm(FlaskForm):
    """A document added to a person's file (the service checks the rules)."""

    kind = SelectField(_l("Kind of document"), choices=_choices(DOCUMENT_KINDS))
    title = StringField(_l("Description"), validators=[Optional(), Length(max=120)])
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])
    file = FileField(_l("File (PDF, JPEG or PNG)"))


class DeleteDocumentForm(FlaskForm):
    """The confirmation of a document's deletion."""

    confirm = BooleanField(_l("I confirm the deletion of this document"))
