"""Settings of the partner features, each with its unit and default.

Read from the app's config (`mobility.config` reads the environment), else the default here.
Every variable is listed in the README ("Partners") and in `docs/webhooks.md`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

DEFAULTS: dict[str, Any] = {
    # -- webhooks --
    # Development and tests only: let endpoints point at 127.0.0.1 / ::1 (and plain http there).
    "WEBHOOK_ALLOW_LOOPBACK": False,
    "WEBHOOK_TIMEOUT_S": 5,
    # attempt n waits WEBHOOK_RETRY_BASE_S * 2**(n-1), at most WEBHOOK_RETRY_MAX_S
    "WEBHOOK_MAX_ATTEMPTS": 10,
    "WEBHOOK_RETRY_BASE_S": 30,
    "WEBHOOK_RETRY_MAX_S": 6 * 3600,
    # a sender that died mid-request: its claim is taken back after this many seconds
    "WEBHOOK_STALE_CLAIM_S": 15 * 60,
    # -- data·inclusion --
    "DATA_INCLUSION_CACHE_S": 300,
    # the producer's identifier in data·inclusion (`source`, prefix of every id)
    "DATA_INCLUSION_SOURCE": "plateforme-mobilite",
    # -- ProConnect (all three unset: no ProConnect button) --
    "PROCONNECT_ISSUER": "",
    "PROCONNECT_CLIENT_ID": "",
    "PROCONNECT_CLIENT_SECRET": "",
    "PROCONNECT_TIMEOUT_S": 5,
    "PUBLIC_BASE_URL": "http://localhost:5000",
}


def setting(name: str) -> Any:
    """The value of `name`: the app config, else `DEFAULTS[name]`."""
    default = DEFAULTS[name]
    value = current_app.config.get(name) if current_app else None
    if value is None or value == "":
        return default
    if isinstance(default, bool):
        return value if isinstance(value, bool) else (
            str(value).strip().lower() in {"1", "true", "yes", "on"})
    if isinstance(default, int):
        return int(value)
    return value
