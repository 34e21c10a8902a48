from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from mobility.core.translations import lazy_gettext as _l


class CodeRequestForm(FlaskForm):
    contact = StringField(_l("Your mobile phone number or e-mail address"),
                          validators=[DataRequired(), Length(max=254)])
    birth_date = DateField(_l("Your date of birth"), validators=[DataRequired()])


class CodeForm(FlaskForm):
    code = StringField(_l("The 6-digit code you received"), validators=[
        DataRequired(), Regexp(r"^\s*\d{6}\s*$", message=_l("The code has 6 digits."))])


class BirthDateForm(FlaskForm):
    """What a sign-in link asks before opening the portal."""

    birth_date = DateField(_l("Your date of birth"), validators=[DataRequired()])
