"""Forms of the notification pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from mobility.core.translations import lazy_gettext as _l
from mobility.notifications.models import CHANNEL_LABELS


class ChannelForm(FlaskForm):
    channel = RadioField(
        _l("How should reminders reach this person?"),
        choices=[(code, label) for code, label in CHANNEL_LABELS.items()],
        validators=[InputRequired()],
    )
    phone = StringField(_l("Mobile number for text messages"),
                        validators=[Optional(), Length(max=32)])


class ActionForm(FlaskForm):
    """A button that changes a message (CSRF token only)."""
