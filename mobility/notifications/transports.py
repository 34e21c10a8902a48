"""Sending: e-mail over SMTP, SMS through Brevo, OVHcloud or a generic HTTP relay.

Both raise `DeliveryError` with a short, loggable reason; the outbox records it and retries.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import ovh
import ovh.exceptions as ovh_errors
import requests

from mobility.notifications.segments import count_segments
from mobility.notifications.settings import setting


class DeliveryError(Exception):
    """The message could not be handed over; `str(error)` says why (no personal values).

    `permanent`: retrying cannot help (the outbox fails the message at once)."""

    permanent = False
    retry_after_s: int | None = None


class NotConfigured(DeliveryError):
    """No SMTP_HOST / SMS provider settings: the message is held in the outbox."""


def email_configured() -> bool:
    return bool(setting("SMTP_HOST"))


def sms_configured() -> bool:
    """Whether the chosen SMS provider has what it needs to send."""
    provider = sms_provider()
    if provider == "brevo":
        return bool(setting("SMS_API_KEY"))
    if provider == "ovh":
        return all(setting(name) for name in ("OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET",
                                              "OVH_CONSUMER_KEY", "OVH_SMS_SERVICE"))
    return bool(setting("SMS_API_URL") or setting("SMS_ENDPOINT_URL"))


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

    def send(self, *, to: str, subject: str, text: str, html: str, key: str,
             attachments: tuple = ()) -> None:
        """Send one e-mail; `attachments` are `(filename, "type/subtype", bytes)`."""
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
        for filename, mimetype, content in attachments:
            maintype, subtype = mimetype.split("/", 1)
            if maintype == "text":  # readers decode text parts with their declared charset
                message.add_attachment(content.decode("utf-8"), subtype=subtype,
                                       charset="utf-8", filename=filename)
            else:
                message.add_attachment(content, maintype=maintype, subtype=subtype,
                                       filename=filename)
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


class PermanentDeliveryError(DeliveryError):
    """The provider will never accept this message (e.g. an invalid number): no retry."""

    permanent = True


class RetryLater(DeliveryError):
    """The provider asks us to slow down (HTTP 429); `retry_after_s` is its hint."""

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _retry_after(response) -> int | None:
    try:
        return max(1, int(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


class _SmsBase:
    """What every SMS adapter shares: one HTTP session per batch, a remembered account error
    (a bad key or an empty credit fails the rest of the batch at once, without calling the
    provider again)."""

    def __init__(self) -> None:
        self._session = requests.Session()
        self._account_error: DeliveryError | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._session.close()

    def send(self, *, to: str, text: str, key: str, status_url: str | None = None) -> str | None:
        """Hand the SMS to the provider; returns its message id (None when it gives none)."""
        if self._account_error is not None:
            raise self._account_error
        try:
            return self._send(to=to, text=text, key=key, status_url=status_url)
        except _AccountError as error:
            self._account_error = DeliveryError(str(error))
            raise self._account_error from error

    def _send(self, *, to: str, text: str, key: str, status_url: str | None) -> str | None:
        raise NotImplementedError


class _AccountError(DeliveryError):
    """Bad credentials or no credit left: retried later, once an admin has fixed it."""


def _post_json(session, url: str, *, json: dict, headers: dict, provider: str):
    try:
        return session.post(url, json=json, headers=headers, timeout=setting("SMS_TIMEOUT_S"))
    except requests.Timeout as error:
        raise DeliveryError(f"{provider} timed out") from error
    except requests.RequestException as error:
        raise DeliveryError(f"{provider} unreachable: {error.__class__.__name__}") from error


class HttpSmsTransport(_SmsBase):
    """`SMS_PROVIDER=http`: POST `{"to", "text", "sender"}` with a bearer key to a relay of
    your own (`SMS_API_URL`). Any 2xx answer is a success (its JSON `id`, if any, is kept)."""

    def _send(self, *, to, text, key, status_url):
        url = setting("SMS_API_URL") or setting("SMS_ENDPOINT_URL")
        if not url:
            raise NotConfigured("SMS_API_URL is not set")
        headers = {"Idempotency-Key": key}
        if setting("SMS_API_KEY"):
            headers["Authorization"] = f"Bearer {setting('SMS_API_KEY')}"
        body = {"to": to, "text": text, "sender": setting("SMS_SENDER")}
        if status_url:
            body["status_url"] = status_url
        response = _post_json(self._session, url, json=body, headers=headers,
                              provider="SMS relay")
        if response.status_code == 429:
            raise RetryLater("SMS relay asks to slow down (HTTP 429)", _retry_after(response))
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"SMS provider answered HTTP {response.status_code}")
        try:
            return str(response.json().get("id") or "") or None
        except (ValueError, AttributeError):
            return None


def check_sender(sender: str) -> str:
    """The sender name as the SMS networks accept it: at most 11 letters and digits
    (alphanumeric sender ID) or at most 15 digits; raises `NotConfigured` otherwise."""
    sender = (sender or "").strip()
    if sender.isdigit() and len(sender) <= 15:
        return sender
    if sender and len(sender) <= 11 and sender.isascii() and sender.replace(" ", "").isalnum():
        return sender
    raise NotConfigured("SMS_SENDER must be at most 11 letters and digits (or 15 digits)")


class BrevoSmsTransport(_SmsBase):
    """`SMS_PROVIDER=brevo`: Brevo's transactional SMS API.

    `POST {SMS_API_URL}/v3/transactionalSMS/send` with the `api-key` header and
    `{"sender", "recipient", "content", "type": "transactional", "unicodeEnabled", "webUrl"}`;
    the answer is `201 {"messageId": ...}`. Errors: 400 (e.g. invalid number: permanent),
    401 (bad key), 402 (not enough credits), 429 (too many requests), 5xx (retried).
    Source: developers.brevo.com, "Send SMS message to a mobile number".
    """

    DEFAULT_URL = "https://api.brevo.com"

    def _send(self, *, to, text, key, status_url):
        api_key = setting("SMS_API_KEY")
        if not api_key:
            raise NotConfigured("SMS_API_KEY is not set (Brevo)")
        base = (setting("SMS_API_URL") or self.DEFAULT_URL).rstrip("/")
        body = {"sender": check_sender(setting("SMS_SENDER")),
                "recipient": to.lstrip("+"), "content": text, "type": "transactional",
                "tag": key.split(":", 1)[0][:50],
                "unicodeEnabled": count_segments(text).unicode}
        if status_url:
            body["webUrl"] = status_url
        response = _post_json(
            self._session, f"{base}/v3/transactionalSMS/send", json=body, provider="Brevo",
            headers={"api-key": api_key, "accept": "application/json"})
        status = response.status_code
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        reason = f"Brevo answered HTTP {status}: {answer.get('code', '')} " \
                 f"{str(answer.get('message', ''))[:200]}".strip()
        if 200 <= status < 300:
            return str(answer.get("messageId") or "") or None
        if status in (401, 402, 403):
            raise _AccountError(reason)
        if status == 429:
            raise RetryLater(reason, _retry_after(response))
        if status == 400:
            raise PermanentDeliveryError(reason)
        raise DeliveryError(reason)


class _OvhClient:
    """Builds the `ovh` SDK's client; `SMS_API_URL` replaces the region's endpoint (a relay,
    or a test's stand-in), the SDK still signing every request."""

    @staticmethod
    def make():
        base = (setting("SMS_API_URL") or "").rstrip("/")

        class Client(ovh.Client):
            def _get_target(self, path):  # the SDK's own hook for the request URL
                return (base + path) if base else super()._get_target(path)

        return Client(endpoint=setting("OVH_ENDPOINT"),
                      application_key=setting("OVH_APPLICATION_KEY"),
                      application_secret=setting("OVH_APPLICATION_SECRET"),
                      consumer_key=setting("OVH_CONSUMER_KEY"),
                      timeout=setting("SMS_TIMEOUT_S"))


class OvhSmsTransport(_SmsBase):
    """`SMS_PROVIDER=ovh`: OVHcloud's SMS API through the `ovh` SDK (signed requests).

    `POST /sms/{OVH_SMS_SERVICE}/jobs` with `{"message", "receivers": [...], "sender",
    "noStopClause", "priority", "coding", "charset", "callBack"}`; the answer lists `ids`,
    `validReceivers` and `invalidReceivers`. Source: eu.api.ovh.com console, /sms.
    """

    def __init__(self) -> None:
        super().__init__()
        self._client = None

    def _send(self, *, to, text, key, status_url):
        missing = [name for name in ("OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET",
                                     "OVH_CONSUMER_KEY", "OVH_SMS_SERVICE") if not setting(name)]
        if missing:
            raise NotConfigured(f"{', '.join(missing)} not set (OVH)")
        if self._client is None:
            self._client = _OvhClient.make()
        try:
            answer = self._client.post(f"/sms/{setting('OVH_SMS_SERVICE')}/jobs",
                                       **_ovh_job(to=to, text=text, key=key,
                                                  status_url=status_url))
        except ovh_errors.APIError as error:
            raise _ovh_failure(error) from error
        if to in (answer.get("invalidReceivers") or []):
            raise PermanentDeliveryError("OVH: invalid receiver number")
        ids = answer.get("ids") or []
        return str(ids[0]) if ids else None


def _ovh_job(*, to: str, text: str, key: str, status_url: str | None) -> dict:
    """The body of `POST /sms/{service}/jobs` for one message."""
    unicode = count_segments(text).unicode
    body = {"message": text, "receivers": [to], "noStopClause": True, "priority": "high",
            "coding": "8bit" if unicode else "7bit", "charset": "UTF-8",
            "tag": key.split(":", 1)[0][:20]}
    if setting("SMS_SENDER"):
        body["sender"] = check_sender(setting("SMS_SENDER"))
    else:
        body["senderForResponse"] = True
    if status_url:
        body["callBack"] = status_url
    return body


def _ovh_failure(error: ovh_errors.APIError) -> DeliveryError:
    """The delivery error an `ovh.exceptions.APIError` stands for (account, message, retry)."""
    if isinstance(error, (ovh_errors.InvalidKey, ovh_errors.InvalidCredential,
                          ovh_errors.NotCredential, ovh_errors.NotGrantedCall,
                          ovh_errors.Forbidden)):
        return _AccountError(f"OVH refused the credentials: {_reason(error)}")
    if isinstance(error, ovh_errors.ResourceNotFoundError):
        return _AccountError(f"OVH SMS service not found: {_reason(error)}")
    if isinstance(error, ovh_errors.BadParametersError):
        if _ovh_error_code(error) == "INVALID_SIGNATURE":  # a wrong application secret
            return _AccountError(f"OVH refused the signature: {_reason(error)}")
        return PermanentDeliveryError(f"OVH refused the message: {_reason(error)}")
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if status == 429:
        return RetryLater(f"OVH asks to slow down: {_reason(error)}", _retry_after(response))
    if status == 402:
        return _AccountError(f"OVH: no SMS credit left: {_reason(error)}")
    return DeliveryError(f"OVH error (HTTP {status}): {_reason(error)}")


def _ovh_error_code(error) -> str | None:
    try:
        return error.response.json().get("errorCode")
    except (AttributeError, ValueError):
        return None


SMS_PROVIDERS = {"http": HttpSmsTransport, "brevo": BrevoSmsTransport, "ovh": OvhSmsTransport}


def sms_provider() -> str:
    provider = str(setting("SMS_PROVIDER")).strip().lower()
    return provider if provider in SMS_PROVIDERS else "http"


def SmsTransport() -> _SmsBase:  # noqa: N802 (reads like the class it returns)
    """The adapter of `SMS_PROVIDER` (http, brevo or ovh)."""
    return SMS_PROVIDERS[sms_provider()]()


def _reason(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:300]
