"""Security headers: Content-Security-Policy (no inline script), HSTS over HTTPS; input guards
for the web forms (NUL characters anywhere, NaN/Infinity in number fields).

The policy is built from the configuration so that Stripe.js and the map's tile server keep
working; `'unsafe-inline'` is allowed for *styles* only (style attributes in templates and the
ones Leaflet sets), never for scripts (OWASP ASVS 5.0 V3.4).
"""

from __future__ import annotations

import math
from decimal import Decimal
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from werkzeug.routing import IntegerConverter
from wtforms import DecimalField, FloatField

from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l

#: Stripe.js loads from js.stripe.com, calls api.stripe.com and opens frames for 3-D Secure
#: (https://docs.stripe.com/security/guide#content-security-policy)
STRIPE_SOURCES = {
    "script": ("https://js.stripe.com",),
    "connect": ("https://api.stripe.com",),
    "frame": ("https://js.stripe.com", "https://hooks.stripe.com"),
}
#: HSTS for one year (RFC 6797); sent only on HTTPS responses
HSTS = "max-age=31536000; includeSubDomains"


#: the largest id a table holds (INTEGER primary keys: 32-bit on PostgreSQL)
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in URLs, limited to what an INTEGER column holds: a larger id is a 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's parameter name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _setting(name: str) -> str:
    """`name` from the app's config (`mobility.config` reads the environment), else ""."""
    return current_app.config.get(name) or ""


def origin(url: str) -> str | None:
    """The scheme://host[:port] of a URL; a Leaflet `{s}` sub-domain becomes a wildcard."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}.", "wildcard-sub."))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("wildcard-sub.", "*.")
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    """The policy for this installation's pages."""
    script, connect, frame = ["'self'"], ["'self'"], ["'self'"]
    img = ["'self'", "data:", "blob:"]
    if _setting("STRIPE_SECRET_KEY") or _setting("STRIPE_PUBLISHABLE_KEY"):
        script += STRIPE_SOURCES["script"]
        connect += STRIPE_SOURCES["connect"]
        frame += STRIPE_SOURCES["frame"]
        for name, into in (("STRIPE_JS_URL", (script, frame, connect)),
                           ("STRIPE_API_BASE", (connect,))):
            extra = origin(_setting(name))
            if extra:
                for directive in into:
                    if extra not in directive:
                        directive.append(extra)
    # the ProConnect buttons post to us and we redirect to the provider: Chromium applies
    # form-action to the redirect too, so the provider's origin must be allowed
    form_action = ["'self'"]
    issuer = origin(_setting("PROCONNECT_ISSUER"))
    if issuer:
        form_action.append(issuer)
    tiles = origin(_setting("MAP_TILE_URL"))
    if tiles:
        img.append(tiles)
    directives = {
        "default-src": ["'self'"],
        "script-src": script,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": img,
        "connect-src": connect,
        "frame-src": frame,
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": form_action,
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def register_security_headers(app: Flask) -> None:
    """Add the CSP to every response and HSTS to those served over HTTPS."""

    @app.after_request
    def _csp_and_hsts(response):
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        if request.is_secure or request.headers.get("X-Forwarded-Proto") == "https":
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def _holds_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items)
               for key, items in values)


def register_input_guards(app: Flask) -> None:
    """Refuse a NUL character in any query parameter, form field or file name with a 400 before
    any view runs (the API checks its JSON bodies itself): PostgreSQL cannot store one, SQLite
    would, so without this the same form behaved differently on the two databases."""

    @app.before_request
    def _refuse_nul_characters():
        if _holds_nul(request.args.lists()) or _holds_nul(request.form.lists()) or any(
                "\x00" in (f.filename or "") for f in request.files.values()):
            raise ValidationFailed(_l("This text holds a character that is not allowed."))


class FiniteFloatField(FloatField):
    """A `FloatField` that refuses `nan`, `inf` and `-Infinity`, which Python's `float` reads."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(_l("Must be a finite number."))


class FiniteDecimalField(DecimalField):
    """A `DecimalField` that refuses `NaN`, `sNaN` and `Infinity` (a NaN would then fail every
    comparison of `NumberRange` with an exception)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Must be a finite number."))
