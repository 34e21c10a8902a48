"""The web side of refusals: `mobility.core.errors` turned into an HTML error page or the API's
`{"error": {"code", "message", "messages": {"fr", "en"}, "details"}}`, in the user's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, render_template, request
from sqlalchemy.exc import DataError, DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from mobility.core.db import db
from mobility.core.errors import DomainError
from mobility.core.translations import lazy_gettext as _l
from mobility.i18n import in_both_languages

HTTP_MESSAGES = {
    400: (_l("Bad request"), _l("The request is not valid.")),
    401: (_l("Sign-in needed"), _l("Please sign in first.")),
    403: (_l("Access denied"), _l("You are not allowed to do this.")),
    404: (_l("Page not found"), _l("This page or record does not exist, or you may not see it.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    409: (_l("Conflict"), _l("This conflicts with the current state of the record.")),
    422: (_l("Conditions not met"),
          _l("This person or this vehicle does not meet the conditions of this step.")),
    413: (_l("Too large"), _l("The file or form sent is too large.")),
    429: (_l("Too many attempts"), _l("Too many attempts: please wait a few minutes.")),
    500: (_l("Server error"), _l("Something went wrong on our side. Please try again later.")),
    503: (_l("Service unavailable"), _l("A service we depend on is unavailable right now.")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/stripe/") or (
        request.accept_mimetypes.best == "application/json"
    )


def error_payload(code: str, message: Any, details: Any = None) -> dict:
    messages = in_both_languages(message)
    body: dict[str, Any] = {"code": code, "message": str(message), "messages": messages}
    if details is not None:
        body["details"] = _render_details(details)
    return {"error": body}


def _render_details(details: Any) -> Any:
    if isinstance(details, dict):
        return {k: _render_details(v) for k, v in details.items()}
    if isinstance(details, list | tuple):
        return [_render_details(v) for v in details]
    if isinstance(details, str | int | float | bool) or details is None:
        return details
    return str(details)


def _respond(status: int, code: str, message: Any, details: Any = None, title: Any = None):
    if wants_json():
        return error_payload(code, message, details), status
    title = title or HTTP_MESSAGES.get(status, HTTP_MESSAGES[400])[0]
    return render_template(
        "errors/error.html", status=status, title=title, message=message, details=details,
        back_url=_refused_form_page(status)), status


def _refused_form_page(status: int) -> str | None:
    """The page of the form a refused POST came from (same site only), to go back to it with
    what was typed still there (the browser's history keeps it)."""
    if request.method != "POST" or not 400 <= status < 500 or not request.referrer:
        return None
    referrer = urlsplit(request.referrer)
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def register_error_handlers(app: Flask) -> None:
    """HTML pages for the browser, JSON for the API, in the user's language."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        return _respond(error.status, error.code, error.message, error.details)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        title, message = HTTP_MESSAGES.get(status, (error.name, error.description))
        if status == 400 and getattr(error, "description", "").startswith("The CSRF"):
            message = _l("The form expired or was sent twice. Please check it and send it again.")
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large",
                422: "not_qualified",
                429: "too_many_requests"}.get(status, "http_error")
        return _respond(status, code, message, title=title)

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _out_of_range(error: Exception):
        """A value the database cannot hold (an id beyond its INTEGER, a NUL character on
        PostgreSQL): the input is refused, nothing was written."""
        db.session.rollback()
        return _respond(400, "value_out_of_range", _l(
            "A value is out of the accepted range or holds a character that is not allowed."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(DisconnectionError)
    def _database_unavailable(error: Exception):
        """The database does not answer (down, restarting, locked too long): 503, retry."""
        app.logger.error("database unavailable: %s", error)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001  (the connection itself may be gone)
            db.session.remove()
        response = _respond(503, "database_unavailable", _l(
            "The database is not available right now. Please try again in a minute."))
        response = app.make_response(response)
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        app.logger.exception("unhandled error")
        db.session.rollback()
        title, message = HTTP_MESSAGES[500]
        return _respond(500, "server_error", message, title=title)
