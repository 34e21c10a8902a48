"""Form: the beneficiary's acceptance on screen."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from mobility.core.translations import lazy_gettext as _l


class SignForm(FlaskForm):
    signer_name = StringField(_l("Beneficiary's first and last name"),
                              validators=[DataRequired(), Length(max=200)])
    accepted = BooleanField(_l("I have read the contract and I accept it"))
    document_sha256 = HiddenField()
