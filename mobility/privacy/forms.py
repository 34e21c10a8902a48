"""The confirmation form of an anonymisation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from mobility.core.translations import lazy_gettext as _l


class AnonymiseForm(FlaskForm):
    confirm = BooleanField(
        _l("I confirm: the person asked for it, and the file cannot be restored."),
        validators=[DataRequired(_l("Tick the box to confirm the anonymisation."))])
