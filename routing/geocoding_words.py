"""How the geocoders read and name places: normalised words, the answer (`GeocodedPlace`).

Matching is accent-, case-, punctuation- and abbreviation-tolerant ("av. princesse grace",
"cap d ail", "beausoleil").
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .settings import ATTRIBUTION

ABBREVIATIONS: dict[str, str] = {
    "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard",
    "boul": "boulevard", "bvd": "boulevard", "r": "rue", "pl": "place", "rte": "route",
    "ch": "chemin", "chem": "chemin", "imp": "impasse", "all": "allee", "sq": "square",
    "st": "saint", "ste": "sainte", "pte": "porte", "fg": "faubourg", "fbg": "faubourg",
    "qu": "quai", "prom": "promenade", "esp": "esplanade", "gal": "general", "gen": "general",
    "mal": "marechal", "mar": "marechal", "pdt": "president", "pres": "president",
    "res": "residence", "cdt": "commandant", "crs": "cours", "mte": "montee", "trav": "traverse",
    "tr": "traverse", "sent": "sentier", "1er": "premier", "ier": "premier", "esc": "escalier",
    "lot": "lotissement", "dr": "docteur", "pr": "professeur", "cap": "cap", "mgr": "monseigneur",
}
STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "et", "a", "au", "aux",
                       "en", "sur", "sous"})
HOUSENUMBER_RE = re.compile(r"^(\d+)(bis|ter|quater|[a-z])?$")


def normalize(text: str) -> str:
    """Lower-case, strip accents and punctuation: "Cap-d'Ail" → "cap d ail"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def tokenize(text: str) -> list[str]:
    """Normalised tokens with abbreviations expanded and French stopwords removed."""
    tokens = []
    for tok in normalize(text).split():
        tok = ABBREVIATIONS.get(tok, tok)
        if tok not in STOPWORDS:
            tokens.append(tok)
    return tokens


@dataclass(frozen=True)
class GeocodedPlace:
    """A geocoding answer. ``kind`` is address, street, municipality, place or poi."""

    label: str
    lat: float
    lon: float
    kind: str
    name: str | None = None
    housenumber: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    source: str = "osm"
    attribution: str = ATTRIBUTION

    @property
    def point(self) -> tuple[float, float]:
        """``(lat, lon)``."""
        return (self.lat, self.lon)


class Geocoder(Protocol):
    """What every geocoder offers."""

    def geocode(self, query: str) -> GeocodedPlace:
        """Best match for ``query``; raises AddressNotFound / OutsideNetworkArea."""
        ...

    def reverse(self, lat: float, lon: float) -> GeocodedPlace:
        """Nearest known address, street or place to a point."""
        ...


def _label(kind: str, name: str | None, housenumber: str | None, street: str | None,
           postcode: str | None, city: str | None) -> str:
    if kind == "address":
        head = f"{housenumber} {street}"
    elif kind == "street":
        head = street or name or ""
    else:
        head = name or ""
    tail = " ".join(p for p in (postcode, city) if p)
    if tail and (kind != "municipality"):
        return f"{head}, {tail}"
    return head


def make_place(kind: str, lat: float, lon: float, *, name: str | None = None,
               housenumber: str | None = None, street: str | None = None,
               postcode: str | None = None, city: str | None = None,
               source: str = "osm") -> GeocodedPlace:
    """Build a :class:`GeocodedPlace` with its display label."""
    return GeocodedPlace(
        label=_label(kind, name, housenumber, street, postcode, city), lat=float(lat),
        lon=float(lon), kind=kind, name=name, housenumber=housenumber, street=street,
        postcode=postcode, city=city, source=source,
    )


def import_address_csv(path: str | Path, *, source: str = "bano") -> list[GeocodedPlace]:
    """Read a BAN/BANO CSV (``id,housenumber,street,postcode,city,source,lat,lon``, no header).

    A header line, if present, is skipped. Rows with unparsable coordinates are skipped.
    """
    places = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) < 8:
                continue
            _id, number, street, postcode, city, _src, lat, lon = row[:8]
            try:
                lat_f, lon_f = float(lat), float(lon)
            except ValueError:
                continue  # header or broken row
            places.append(make_place("address", lat_f, lon_f, housenumber=number.strip(),
                                     street=street.strip(), postcode=postcode.strip() or None,
                                     city=city.strip() or None, source=source))
    return places


#: the kinds of place, in the order the index stores them
KINDS = ("address", "street", "municipality", "place", "poi")
