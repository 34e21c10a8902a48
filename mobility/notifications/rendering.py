"""Render a message from its templates, in the recipient's language, outside any request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale

from mobility.notifications.kinds import template_names
from mobility.notifications.segments import gsm_friendly
from mobility.notifications.settings import setting

SMS_MAX_CHARS = 320  # two SMS segments


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def encode_context(context: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-safe copy of template variables: dates and datetimes are tagged to come back."""

    def encode(value):
        if isinstance(value, datetime):
            return {"$datetime": value.isoformat()}
        if isinstance(value, date):
            return {"$date": value.isoformat()}
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        if value is None or isinstance(value, str | int | float | bool):
            return value
        return str(value)

    return encode(context or {})


def decode_context(context: dict[str, Any] | None) -> dict[str, Any]:
    def decode(value):
        if isinstance(value, dict):
            if set(value) == {"$datetime"}:
                return datetime.fromisoformat(value["$datetime"])
            if set(value) == {"$date"}:
                return date.fromisoformat(value["$date"])
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    return decode(context or {})


def absolute_link(endpoint: str, **values) -> str:
    """`PUBLIC_BASE_URL` + the path of `endpoint` (works without a request)."""
    base = str(setting("PUBLIC_BASE_URL")).rstrip("/")
    try:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    except Exception:  # an endpoint of a feature not installed: link to the home page
        path = "/"
    return base + path


def render_message(kind: str, locale: str | None, context: dict[str, Any]) -> Rendered:
    """Subject, plain text, HTML and SMS text of a message; template errors propagate."""
    env = current_app.jinja_env
    names = template_names(kind)
    variables = {"base_url": str(setting("PUBLIC_BASE_URL")).rstrip("/"), **context}
    with force_locale(locale or "fr"):
        subject = " ".join(env.get_template(names["subject"]).render(variables).split())
        text = env.get_template(names["text"]).render(variables).strip() + "\n"
        html = env.get_template(names["html"]).render(variables)
        # typographic apostrophes and spaces made GSM-7: one 160-character segment, not 70
        sms = gsm_friendly(" ".join(env.get_template(names["sms"]).render(variables).split()))
    if len(sms) > SMS_MAX_CHARS:
        sms = sms[: SMS_MAX_CHARS - 1] + "…"
    return Rendered(subject=subject, text=text, html=html, sms=sms)
