from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from mobility.core.roles import ROLE_LABELS
from mobility.core.translations import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class LanguageForm(FlaskForm):
    lang = SelectField(_l("Language"), choices=[("fr", "Français"), ("en", "English")])


class UserForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    role = SelectField(_l("Role"), choices=[(k, v) for k, v in ROLE_LABELS.items()])
    organisation_id = SelectField(_l("Partner organisation"), coerce=int, validators=[Optional()])
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=10, max=200)]
    )
