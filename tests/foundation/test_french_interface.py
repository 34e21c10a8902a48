"""No English in the French interface: every page each demo role can open, in French, checked
for English that leaked through (a message shown untranslated, a label stored in English in the
database, a job's result, an audit-log label, a word the catalog never saw).

Two checks on each page's visible text (text nodes, titles, labels, placeholders, alt texts):
- a text equal to an English message of the catalog whose French differs: it was shown without
  being translated;
- a sentence with English function words ("the", "and", "of", "your"...), which French text
  never contains: a string that was never marked for translation.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from mobility.auth.models import User
from mobility.core.db import db
from mobility.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from mobility.i18n import translation_directories
from tests.factories import login

ACCOUNTS = {role: email for email, _password, role in DEMO_ACCOUNTS}
#: words of English that a French sentence never holds
ENGLISH_WORDS = {"the", "and", "of", "with", "your", "you", "this", "is", "are", "was", "has",
                 "have", "not", "for", "from", "to", "by", "please", "which", "been", "will",
                 "must", "should", "cannot", "there", "their", "its"}
#: a plural written as "an(s)" or a gender as "inscrit(e)": ngettext and full words instead
SHORTCUT = re.compile(r"\w\((?:s|e|es|x)\)")
#: a date or time as a machine writes it: 2026-12-01, 2026-12-01T09:30, 09:30 UTC, 12.5 €
MACHINE_FORMAT = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\bUTC\b|\d\.\d+\s?€|€\s?\d")
#: text that is English on purpose, in every language
ALLOWED = {"English"}  # the language switch names the other language in that language
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class _Text(HTMLParser):
    """The visible text of a page: text nodes (outside script/style) and the attributes a
    screen reader or a hover reads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.pieces.append(value)
            if tag == "input" and name == "value" and value and (
                    ("type", "submit") in attrs or ("type", "button") in attrs):
                self.pieces.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.pieces.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.pieces if p.strip()]


def _catalogs() -> dict[Path, list]:
    """Every French catalog (each feature keeps its own; they are merged at run time)."""
    out = {}
    for folder in translation_directories():
        path = Path(folder) / "fr" / "LC_MESSAGES" / "messages.po"
        if path.exists():
            with path.open("rb") as handle:
                out[path] = [m for m in read_po(handle) if m.id]
    return out


def _english_messages() -> dict[str, re.Pattern]:
    """English messages of the catalogs whose French differs, as patterns (placeholders match
    anything), keyed by message."""
    out = {}
    for message in [m for messages in _catalogs().values() for m in messages]:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        if not msgid or not msgstr or msgstr == msgid:
            continue
        words = re.findall(r"[^\W\d_]+", re.sub(r"%\(\w+\)[sd]", "", msgid))
        if len(words) < 2:  # a single word is too often a name, a brand or the same in French
            continue
        pattern = re.escape(" ".join(msgid.split()))
        pattern = re.sub(r"%\\\(\w+\\\)[sdf]", ".+?", pattern)
        out[msgid] = re.compile(rf"^{pattern}$")
    return out


def english_in(texts: list[str], messages: dict[str, re.Pattern]) -> list[str]:
    """The texts that read as English."""
    found = []
    for text in texts:
        if text in ALLOWED:
            continue
        words = [w.lower() for w in re.findall(r"[^\W\d_]+", text)]
        english_words = len(words) >= 2 and any(w in ENGLISH_WORDS for w in words)
        if (SHORTCUT.search(text) or english_words or MACHINE_FORMAT.search(text)
                or any(p.match(text) for p in messages.values())):
            found.append(text)
    return found


def test_the_checks_find_english_and_let_french_through():
    messages = _english_messages()
    assert english_in(["The rental was booked."], messages) == ["The rental was booked."]
    assert english_in(["Record the person's B licence"], messages)
    assert english_in(["Permis détenu depuis 1 an(s)"], messages)
    assert english_in(["Rendu le 2026-12-01", "à 09:30 UTC", "12.50 €"], messages) == [
        "Rendu le 2026-12-01", "à 09:30 UTC", "12.50 €"]
    assert english_in(["La location est réservée.", "Caution détenue", "Point étape",
                       "Ce qui a été noté à l’état des lieux", "Depuis plus d’un an",
                       "English", "Le Tour de France", "Total", "Rendu le 1 déc. 2026",
                       "12,50 €"], messages) == []


def _demo_ids() -> dict[str, int]:
    """An id of the demo for every kind of record a URL names; the richest record where it
    matters (a rental in progress, a person renting)."""
    from fleet.models import Rental

    rental = db.session.scalar(select(Rental).where(Rental.status == "in_progress")
                               .order_by(Rental.id))
    return {"rental_id": rental.id, "beneficiary_id": rental.beneficiary_id,
            "person_id": rental.beneficiary_id, "vehicle_id": rental.vehicle_id,
            "site_id": rental.vehicle.site_id}


def _get_urls(app, ids: dict[str, int]) -> list[str]:
    urls = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static") or "GET" not in (rule.methods or ()):
            continue
        if rule.rule.startswith(("/api/", "/r/", "/notifications/sms-status", "/auth/proconnect",
                                 "/logout")):
            continue

        def fill(match):
            converter, name = match.group(1) or "default", match.group(2)
            if converter != "int":
                return "x"
            return str(ids.get(name, 1))

        urls.add(ARGUMENT.sub(fill, rule.rule))
    return sorted(urls)


@pytest.fixture
def demo(sqlite_app):
    from mobility.scheduling.registry import all_jobs
    from mobility.scheduling.runner import run_job

    platform = load_demo()
    for spec in all_jobs():  # their results are shown on the jobs page
        run_job(spec.id, trigger="scheduler")
        if spec.per_platform:
            run_job(spec.id, trigger="admin", platform_id=platform.id)
    db.session.commit()
    return sqlite_app


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_no_english_on_any_french_page(demo, role):
    client = demo.test_client()
    user = db.session.scalar(select(User).where(User.email == ACCOUNTS[role]))
    assert login(client, user, DEMO_PASSWORD).status_code == 302
    messages = _english_messages()
    problems: dict[str, list[str]] = {}
    seen = 0
    for url in _get_urls(demo, _demo_ids()):
        response = client.get(url, headers={"Accept-Language": "fr"})
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen += 1
        found = english_in(visible_text(response.get_data(as_text=True)), messages)
        if found:
            problems[url] = sorted(set(found))[:8]
    assert seen >= 5
    assert problems == {}, "\n".join(f"{u}: {t}" for u, t in problems.items())


def test_a_refused_form_answers_on_a_page_that_leads_back_to_it(app, client):
    """A 409 from a form is a page in the layout with the reason and a way back to the form
    (the history keeps what was typed); never a way back to another site."""
    from tests.factories import (
        create_amie_beneficiary,
        create_platform,
        create_user,
        csrf_token_from,
    )

    platform = create_platform()
    person = create_amie_beneficiary(platform)  # with a pathway in progress
    advisor = create_user("advisor", platform)
    login(client, advisor)
    file_url = f"/people/beneficiaries/{person.id}"
    token = csrf_token_from(client.get(file_url).get_data(as_text=True))
    response = client.post(f"{file_url}/reopen", data={"csrf_token": token},
                           headers={"Referer": f"http://localhost{file_url}"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Cette personne a déjà un parcours en cours." in page
    assert f'href="{file_url}" data-testid="back-to-form"' in page
    elsewhere = client.post(f"{file_url}/reopen", data={"csrf_token": token},
                            headers={"Referer": "https://evil.example/phish"})
    assert elsewhere.status_code == 409
    assert "back-to-form" not in elsewhere.get_data(as_text=True)
