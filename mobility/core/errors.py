"""The domain's refusals: a code, an HTTP status and a message in French and English.

Services raise these and change nothing; the web layer (`mobility.web.errors`) turns them into
an HTML error page or the API's `{"error": {"code", "message", "messages", "details"}}`. No
Flask import here: the rules of `fleet/` and of the features raise them outside any request.
"""

from __future__ import annotations

from typing import Any

from mobility.core.translations import lazy_gettext as _l


class DomainError(Exception):
    """A refused request: bad input, a conflict, a missing right. Nothing was changed."""

    status = 400
    code = "bad_request"
    default_message = _l("The request is not valid.")

    def __init__(self, message: Any = None, *, code: str | None = None,
                 status: int | None = None, details: Any = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details
        super().__init__(str(self.code))


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"
    default_message = _l("Some fields are missing or not valid.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("This page or record does not exist, or you may not see it.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    default_message = _l("Please sign in first.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("This conflicts with the current state of the record.")


class NotQualified(DomainError):
    """The person or the vehicle does not meet a rule of the step (HTTP 422): the message says
    what to do next (record a licence, have the contract signed...)."""

    status = 422
    code = "not_qualified"
    default_message = _l("This person or this vehicle does not meet the conditions of this step.")
