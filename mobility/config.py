"""Settings read from the environment, each with its unit and default: the only module of
the app that reads the environment (features read `current_app.config`).

Every variable is documented in the README's "Configuration" table.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _str(name: str, default: str = "") -> str:
    return os.environ.get(name) or default


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
        "MAX_PHOTO_BYTES": _int("MAX_PHOTO_BYTES", 8 * 1024 * 1024),
        "AUDIT_RETENTION_DAYS": _int("AUDIT_RETENTION_DAYS", 365),
        # -- notifications and the scheduler (docs/scheduler.md) --
        "SMTP_HOST": _str("SMTP_HOST"),
        "SMTP_PORT": _int("SMTP_PORT", 0),  # 0: 465 with ssl, 587 with starttls, 25 with none
        "SMTP_USER": _str("SMTP_USER"),
        "SMTP_PASSWORD": _str("SMTP_PASSWORD"),
        "SMTP_TLS": _str("SMTP_TLS", "starttls"),  # starttls | ssl | none
        "SMTP_TIMEOUT_S": _int("SMTP_TIMEOUT_S", 10),
        "MAIL_FROM": _str("MAIL_FROM", "Plateforme mobilité <no-reply@localhost>"),
        "SMS_PROVIDER": _str("SMS_PROVIDER", "http"),  # brevo | ovh | http
        "SMS_API_URL": _str("SMS_API_URL"),
        "SMS_ENDPOINT_URL": _str("SMS_ENDPOINT_URL"),
        "SMS_API_KEY": _str("SMS_API_KEY"),
        "SMS_SENDER": _str("SMS_SENDER", "MOBILITE"),
        "SMS_TIMEOUT_S": _int("SMS_TIMEOUT_S", 10),
        "OVH_ENDPOINT": _str("OVH_ENDPOINT", "ovh-eu"),
        "OVH_APPLICATION_KEY": _str("OVH_APPLICATION_KEY"),
        "OVH_APPLICATION_SECRET": _str("OVH_APPLICATION_SECRET"),
        "OVH_CONSUMER_KEY": _str("OVH_CONSUMER_KEY"),
        "OVH_SMS_SERVICE": _str("OVH_SMS_SERVICE"),
        "SMS_FALLBACK_TO_EMAIL": _bool("SMS_FALLBACK_TO_EMAIL", True),
        "PUBLIC_BASE_URL": _str("PUBLIC_BASE_URL", "http://localhost:5000"),
        "SIGNIN_LINKS": _bool("SIGNIN_LINKS", True),
        "SIGNIN_LINK_TTL_H": _int("SIGNIN_LINK_TTL_H", 48),
        "NOTIFY_MAX_ATTEMPTS": _int("NOTIFY_MAX_ATTEMPTS", 8),
        "NOTIFY_RETRY_BASE_S": _int("NOTIFY_RETRY_BASE_S", 60),
        "NOTIFY_RETRY_MAX_S": _int("NOTIFY_RETRY_MAX_S", 6 * 3600),
        "NOTIFY_BATCH_SIZE": _int("NOTIFY_BATCH_SIZE", 50),
        "NOTIFY_STALE_CLAIM_S": _int("NOTIFY_STALE_CLAIM_S", 15 * 60),
        "REMINDER_CHECKPOINT_DAYS": _int("REMINDER_CHECKPOINT_DAYS", 1),
        "REMINDER_RETURN_DAYS": _int("REMINDER_RETURN_DAYS", 1),
        "REMINDER_WORKSHOP_DAYS": _int("REMINDER_WORKSHOP_DAYS", 1),
        "REMINDER_DEPOSIT_DAYS": _int("REMINDER_DEPOSIT_DAYS", 3),
        "REMINDER_PLAN_STEP_DAYS": _int("REMINDER_PLAN_STEP_DAYS", 3),
        "REMINDER_DOCUMENT_DAYS": _int("REMINDER_DOCUMENT_DAYS", 30),
        "REMINDER_MAINTENANCE_DAYS": _int("REMINDER_MAINTENANCE_DAYS", 7),
        "REMINDER_MAINTENANCE_KM": _int("REMINDER_MAINTENANCE_KM", 300),
        "REMINDER_CATCH_UP_DAYS": _int("REMINDER_CATCH_UP_DAYS", 14),
        "SCHEDULER_MISFIRE_GRACE_S": _int("SCHEDULER_MISFIRE_GRACE_S", 15 * 60),
        "SCHEDULER_SEND_INTERVAL_S": _int("SCHEDULER_SEND_INTERVAL_S", 60),
        "SCHEDULER_DAILY_HOUR_UTC": _int("SCHEDULER_DAILY_HOUR_UTC", 6),
        "SCHEDULER_LOCK_FILE": _str("SCHEDULER_LOCK_FILE"),
        "SCHEDULER_STANDBY_POLL_S": _int("SCHEDULER_STANDBY_POLL_S", 5),
        # -- partners (README "Partners", docs/webhooks.md) --
        "WEBHOOK_ALLOW_LOOPBACK": _bool("WEBHOOK_ALLOW_LOOPBACK", False),
        "WEBHOOK_TIMEOUT_S": _int("WEBHOOK_TIMEOUT_S", 5),
        "WEBHOOK_MAX_ATTEMPTS": _int("WEBHOOK_MAX_ATTEMPTS", 10),
        "WEBHOOK_RETRY_BASE_S": _int("WEBHOOK_RETRY_BASE_S", 30),
        "WEBHOOK_RETRY_MAX_S": _int("WEBHOOK_RETRY_MAX_S", 6 * 3600),
        "WEBHOOK_STALE_CLAIM_S": _int("WEBHOOK_STALE_CLAIM_S", 15 * 60),
        "DATA_INCLUSION_CACHE_S": _int("DATA_INCLUSION_CACHE_S", 300),
        "DATA_INCLUSION_SOURCE": _str("DATA_INCLUSION_SOURCE", "plateforme-mobilite"),
        "PROCONNECT_ISSUER": _str("PROCONNECT_ISSUER"),
        "PROCONNECT_CLIENT_ID": _str("PROCONNECT_CLIENT_ID"),
        "PROCONNECT_CLIENT_SECRET": _str("PROCONNECT_CLIENT_SECRET"),
        "PROCONNECT_TIMEOUT_S": _int("PROCONNECT_TIMEOUT_S", 5),
        # -- privacy: files without contact anonymised after (365..3650, checked at start) --
        "RETENTION_INACTIVE_DAYS": _str("RETENTION_INACTIVE_DAYS"),
        # -- security headers (CSP): the origins of Stripe.js, ProConnect and the map tiles --
        "STRIPE_SECRET_KEY": _str("STRIPE_SECRET_KEY"),
        "STRIPE_PUBLISHABLE_KEY": _str("STRIPE_PUBLISHABLE_KEY"),
        "STRIPE_JS_URL": _str("STRIPE_JS_URL"),
        "STRIPE_API_BASE": _str("STRIPE_API_BASE"),
        "MAP_TILE_URL": _str("MAP_TILE_URL"),
        # -- commute (docs/commute.md): the routing engine, OSRM, the geocoder, the GTFS feed --
        "ROUTING_ENGINE": _str("ROUTING_ENGINE", "local").lower(),  # local | osrm
        "OSRM_URL_CAR": _str("OSRM_URL_CAR"),
        "OSRM_URL_BIKE": _str("OSRM_URL_BIKE"),
        "OSRM_URL_FOOT": _str("OSRM_URL_FOOT"),
        "OSRM_TIMEOUT_S": _float("OSRM_TIMEOUT_S", 5.0),
        "GEOCODER": _str("GEOCODER", "offline").lower(),  # offline | nominatim
        "GEOCODER_URL": _str("GEOCODER_URL"),
        "GTFS_PATH": _str("GTFS_PATH"),
        "ROUTING_PRELOAD": _bool("ROUTING_PRELOAD", False),
        # -- documents: where the DejaVu TrueType fonts are (Debian's fonts-dejavu-core) --
        "PDF_FONT_DIR": _str("PDF_FONT_DIR"),
        "ROUTING_PBF_PATH": os.environ.get("ROUTING_PBF_PATH", ""),
        "ROUTING_CACHE_DIR": os.environ.get(
            "ROUTING_CACHE_DIR", str(PROJECT_ROOT / ".cache" / "routing")
        ),
    }
