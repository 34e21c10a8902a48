"""How many SMS a text costs: GSM 03.38 (7-bit) or UCS-2 segments, counted before sending.

Source: 3GPP TS 23.038 §6.2.1 (default alphabet and its extension table) and TS 23.040
§9.2.3.24.1 (concatenated messages: a 6-byte header leaves 153 septets or 67 UCS-2 characters
per part, against 160 and 70 for a single message).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: characters of the extension table: each takes two septets (escape + code)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

#: typographic characters a French text uses that have a plain GSM-7 twin; replacing them
#: keeps a reminder in one 160-character segment instead of a 70-character UCS-2 one.
GSM7_TWINS = str.maketrans({
    "’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "…": "...", "•": "-",
})


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of each segment at this length

    @property
    def unicode(self) -> bool:
        return self.encoding == "UCS-2"


def _plain(char: str) -> str:
    """A letter outside GSM-7 as its unaccented twin when that one is in it (ô -> o,
    ç -> c, Ê -> E, œ -> oe), else itself."""
    if char in GSM7_BASIC or char in GSM7_EXTENDED:
        return char
    if char in "œŒ":
        return "oe" if char == "œ" else "OE"
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base if base and is_gsm7(base) else char


def gsm_friendly(text: str) -> str:
    """`text` in the GSM-7 alphabet where a close twin exists: typographic apostrophes, quotes,
    dashes and spaces, and the accented letters GSM-7 lacks (â ê î ô û ç ë ï…; é è à ù keep
    their accent). A French reminder then fits one 160-character segment instead of taking
    two or three 67-character UCS-2 ones; an emoji still makes it UCS-2."""
    return "".join(_plain(c) for c in (text or "").translate(GSM7_TWINS))


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def count_segments(text: str) -> SegmentCount:
    """The encoding a phone will receive `text` in and how many segments it takes."""
    text = text or ""
    if is_gsm7(text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SegmentCount(encoding, units, 1 if units else 0, single)
    return SegmentCount(encoding, units, -(-units // multi), multi)
