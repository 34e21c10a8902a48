"""The French catalogs say one thing one way.

Each feature keeps its own catalog (`<package>/translations`) and the app merges them at run
time (`mobility.i18n.translation_directories`), so:
- one English message (with its context: a `pgettext` message is a message of its own) must have
  one French translation in every catalog, or one of them shows everywhere;
- one English text must not be spelled two ways (a hyphen here, a dash there), or it is two
  messages that say the same thing;
- the domain's words are those of the glossary (`shared/DESIGN.md`): a moped is a "mobylette"
  in every message, not a "cyclomoteur" in some.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from mobility.i18n import translation_directories

#: English words of the domain and the French the glossary gives them (a pattern)
GLOSSARY = {
    r"\bmopeds?\b": r"mobylettes?",
    r"\be-bikes?\b": r"\bVAE\b|vélos? à assistance électrique",
    r"\bcheckpoints?\b": r"points? étapes?",
    r"\bdeposits?\b": r"cautions?",
    r"\bworkshops?\b": r"ateliers?",
    r"\bcarpool": r"covoiturage",
}


def _messages() -> list[tuple[str, Message]]:
    """(feature, message) for every message of every French catalog."""
    out = []
    for folder in translation_directories():
        path = Path(folder) / "fr" / "LC_MESSAGES" / "messages.po"
        if path.exists():
            with path.open("rb") as handle:
                out += [(path.parts[-4], m) for m in read_po(handle) if m.id]
    return out


def _first(value) -> str:
    """The singular of a plural message (id or string), the text of any other."""
    return value if isinstance(value, str) else value[0]


def _typography_free(text: str) -> str:
    """The text with dashes, apostrophes, quotes and spaces made plain."""
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    text = re.sub(r"[\u2018\u2019\u02bc]", "'", text)
    text = re.sub(r"[\u201c\u201d\u00ab\u00bb]", '"', text)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_a_message_has_one_french_translation_in_every_catalog():
    """Catalogs are merged at run time, so a message translated two ways shows one of them
    everywhere: "Open" as "Ouvert" on a button that opens, "OK" as "Bon état" on a job."""
    seen: dict[tuple, dict[object, list[str]]] = {}
    for feature, m in _messages():
        msgstr = m.string if isinstance(m.string, str) else tuple(m.string)
        ways = seen.setdefault((m.context, str(m.id)), {})
        ways.setdefault(msgstr, []).append(feature)
    twice = {msgid: ways for msgid, ways in seen.items() if len(ways) > 1}
    assert twice == {}


def test_one_english_text_is_written_one_way():
    """Two messages that differ only by typography ("Home-work" and "Home–work") are one text
    translated twice: the French may drift apart, and the English already has."""
    spellings: dict[tuple, set[str]] = {}
    for _feature, m in _messages():
        msgid = _first(m.id)
        spellings.setdefault((m.context, _typography_free(msgid)), set()).add(msgid)
    twice = {key: sorted(ids) for key, ids in spellings.items() if len(ids) > 1}
    assert twice == {}


def test_the_domain_words_are_the_glossary_s():
    """A message naming a moped, an e-bike, a checkpoint... uses the glossary's French word."""
    off = []
    for feature, m in _messages():
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for english, french in GLOSSARY.items():
            if re.search(english, _first(m.id), re.IGNORECASE) and not all(
                    re.search(french, s, re.IGNORECASE) for s in strings if s):
                off.append((feature, _first(m.id), strings[0]))
    assert off == []


def test_the_checks_see_a_message_translated_two_ways():
    """The checks above do find what they look for."""
    assert _typography_free("Home–work commute") == _typography_free("Home-work commute")
    assert _typography_free("l’adresse") == _typography_free("l'adresse")
    assert _typography_free("Booked") != _typography_free("booked")
    assert re.search(GLOSSARY[r"\bmopeds?\b"], "Location de mobylettes")
    assert not re.search(GLOSSARY[r"\bmopeds?\b"], "Cyclomoteur")
