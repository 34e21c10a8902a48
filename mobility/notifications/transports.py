"""Sending: e-mail over SMTP, SMS through a provider's HTTP endpoint.

Both raise `DeliveryError` with a short, loggable reason; the outbox records it and retries.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import requests

from mobility.notifications.settings import setting


class DeliveryError(Exception):
    """The message could not be handed over; `str(error)` says why (no personal values)."""


class NotConfigured(DeliveryError):
    """No SMTP_HOST / SMS_ENDPOINT_URL: the message is held in the outbox."""


def email_configured() -> bool:
    return bool(setting("SMTP_HOST"))


def sms_configured() -> bool:
    return bool(setting("SMS_ENDPOINT_URL"))


def _tls_mode() -> str:
    mode = str(setting("SMTP_TLS")).strip().lower()
    if mode in {"1", "true", "yes", "on", "starttls"}:
        return "starttls"
    if mode in {"ssl", "tls", "smtps"}:
        return "ssl"
    return "none"


class SmtpTransport:
    """One SMTP connection, opened at the first message and reused for a batch.

    A connection failure is remembered: the rest of the batch fails fast with the same reason
    instead of waiting for the timeout once per message.
    """

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None
        self._connect_error: str | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _connection(self) -> smtplib.SMTP:
        if self._connect_error:
            raise DeliveryError(self._connect_error)
        if self._smtp is not None:
            return self._smtp
        host = setting("SMTP_HOST")
        if not host:
            raise NotConfigured("SMTP_HOST is not set")
        mode, timeout = _tls_mode(), setting("SMTP_TIMEOUT_S")
        port = setting("SMTP_PORT") or {"ssl": 465, "starttls": 587}.get(mode, 25)
        try:
            if mode == "ssl":
                smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if mode == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if setting("SMTP_USER"):
                smtp.login(setting("SMTP_USER"), setting("SMTP_PASSWORD"))
        except (OSError, smtplib.SMTPException) as error:
            self._connect_error = f"SMTP connection to {host}:{port} failed: {_reason(error)}"
            raise DeliveryError(self._connect_error) from error
        self._smtp = smtp
        return smtp

    def send(self, *, to: str, subject: str, text: str, html: str, key: str) -> None:
        message = EmailMessage()
        message["From"] = setting("MAIL_FROM")
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="mobility.invalid")
        # lets receivers (and our tests) recognise a message sent twice
        message["X-Notification-Key"] = key
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        smtp = self._connection()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            self._smtp = None
            raise DeliveryError(f"SMTP server disconnected: {_reason(error)}") from error
        except (OSError, smtplib.SMTPException) as error:
            if isinstance(error, OSError):
                self._smtp = None
            raise DeliveryError(f"SMTP refused the message: {_reason(error)}") from error
        if refused:
            raise DeliveryError("SMTP refused the recipient")

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None


class SmsTransport:
    """POST `{"to": "+33612345678", "text": "...", "sender": "..."}` with a bearer key.

    Any 2xx answer is a success; anything else, a timeout or a refused connection is a
    `DeliveryError` (the outbox retries).
    """

    def __init__(self) -> None:
        self._session = requests.Session()

    def __enter__(self) -> SmsTransport:
        return self

    def __exit__(self, *exc) -> None:
        self._session.close()

    def send(self, *, to: str, text: str, key: str) -> None:
        url = setting("SMS_ENDPOINT_URL")
        if not url:
            raise NotConfigured("SMS_ENDPOINT_URL is not set")
        headers = {"Idempotency-Key": key}
        if setting("SMS_API_KEY"):
            headers["Authorization"] = f"Bearer {setting('SMS_API_KEY')}"
        try:
            response = self._session.post(
                url, json={"to": to, "text": text, "sender": setting("SMS_SENDER")},
                headers=headers, timeout=setting("SMS_TIMEOUT_S"),
            )
        except requests.Timeout as error:
            raise DeliveryError("SMS provider timed out") from error
        except requests.RequestException as error:
            raise DeliveryError(f"SMS provider unreachable: {error.__class__.__name__}") from error
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"SMS provider answered HTTP {response.status_code}")


def _reason(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:300]
