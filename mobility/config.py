"""Settings read from the environment, each with its unit and default: the only module of
the app that reads the environment (features read `current_app.config`, or `env_setting`).

Every variable is documented in the README's "Configuration" table.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_setting(name: str, default: Any) -> Any:
    """The environment's value of `name` read as the type of `default` (bool, int, float or
    text), or `default` when unset or empty: the one place features read the environment."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if isinstance(default, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def instance_path() -> Path:
    """Folder for the SQLite file, the generated secret key and caches (`INSTANCE_PATH`)."""
    return Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")


def _secret_key(folder: Path) -> str:
    """`SECRET_KEY`, or a random key generated once and kept in `instance/secret_key`."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = folder / "secret_key"
    if not key_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config() -> dict:
    """Build the Flask configuration from environment variables."""
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'mobility.db'}"
    return {
        "SECRET_KEY": _secret_key(folder),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Cookies: secure by default; local development over plain http sets this to false.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        # A signed-in web session ends after this many seconds of inactivity.
        "SESSION_IDLE_TIMEOUT_S": _int("SESSION_IDLE_TIMEOUT_S", 2 * 3600),
        # ... and in any case after this many seconds.
        "SESSION_MAX_AGE_S": _int("SESSION_MAX_AGE_S", 12 * 3600),
        "API_TOKEN_TTL_S": _int("API_TOKEN_TTL_S", 8 * 3600),
        # Lock-out: after LOGIN_MAX_FAILURES wrong passwords, the account waits LOGIN_LOCKOUT_S.
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCKOUT_S": _int("LOGIN_LOCKOUT_S", 15 * 60),
        # Per-address throttle of the login forms (Flask-Limiter syntax).
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "30 per minute"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ("fr", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(folder / "uploads"),
        "AUDIT_RETENTION_DAYS": _int("AUDIT_RETENTION_DAYS", 365),
        "ROUTING_PBF_PATH": os.environ.get("ROUTING_PBF_PATH", ""),
        "ROUTING_CACHE_DIR": os.environ.get(
            "ROUTING_CACHE_DIR", str(PROJECT_ROOT / ".cache" / "routing")
        ),
    }
