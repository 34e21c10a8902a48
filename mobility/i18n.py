"""French first, English available: locale choice, catalogs and French-style formatting."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from babel.dates import format_time as format_wall_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, request, session
from flask_babel import force_locale, get_locale
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import format_time as babel_format_time
from flask_login import current_user

from mobility.config import PROJECT_ROOT


def select_locale() -> str:
    """The user's saved preference, then the language chosen this session, then the browser's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, scheduler: French unless forced
        return languages[0]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages, default=languages[0])


def translation_directories() -> list[Path]:
    """The shared catalog plus one per feature package (`<package>/translations`)."""
    folders = [PROJECT_ROOT / "translations"]
    for package in ("mobility", "fleet"):
        folders += sorted(p for p in (PROJECT_ROOT / package).glob("**/translations") if p.is_dir())
    return folders


def compile_catalogs() -> int:
    """Compile every `.po` catalog whose `.mo` is missing or older; returns how many."""
    count = 0
    for folder in translation_directories():
        for po_path in folder.glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            count += 1
    return count


def money(amount_cents: int | None) -> str:
    """Integer cents as a French (or English) amount in euros: 1 234,50 €."""
    if amount_cents is None:
        return ""
    return format_currency(amount_cents / 100, "EUR", locale=str(get_locale() or "fr"))


def number(value: float | int | None, format: str = "#,##0.#") -> str:
    """A number in the user's language (decimal comma in French): 12,5."""
    if value is None:
        return ""
    return format_decimal(value, format=format, locale=str(get_locale() or "fr"))


def local_date(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return babel_format_date(value, format)


class LazyDate:
    """A date that formats itself in the language in force when it is shown, so a message built
    once (a refusal, say) reads right in each of the languages it is rendered in."""

    def __init__(self, value: date | datetime | None, format: str = "medium") -> None:
        self.value, self.format = value, format

    def __str__(self) -> str:
        return local_date(self.value, self.format)

    def __repr__(self) -> str:
        return f"LazyDate({self.value!r})"


def lazy_date(value: date | datetime | None, format: str = "medium") -> LazyDate:
    """`local_date` deferred to the moment the text is rendered (for lazy messages)."""
    return LazyDate(value, format)


def local_datetime(value: datetime | None, format: str = "medium") -> str:
    """A UTC timestamp shown in Europe/Paris, in the user's language."""
    if value is None:
        return ""
    return babel_format_datetime(value, format)


def local_time(value: datetime | time | None, format: str = "short") -> str:
    """The time of day in the user's language: a UTC timestamp shown in Europe/Paris, or a
    wall-clock time already local (an appointment's 14:30) shown as it is, unconverted."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return babel_format_time(value, format)
    return format_wall_time(value, format, locale=str(get_locale() or "fr"))


def in_both_languages(message: Any) -> dict[str, str]:
    """Render a (lazy) message in French and English."""
    out = {}
    for locale in ("fr", "en"):
        with force_locale(locale):
            out[locale] = str(message)
    return out
