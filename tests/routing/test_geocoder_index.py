"""The memory-mapped geocoder index answers as the previous pickled one (routing.legacy_geocoding)
on the demo's extract and on a synthetic territory: same places, same order, same errors."""

from __future__ import annotations

import random

import numpy as np
import pytest

import routing
from benchmarks.baselines.pickled_geocoder import PickledGeocoder
from benchmarks.routing_trips import TRIPS
from benchmarks.territory import write_territory
from routing.geocoder_build import build_geocoder
from routing.geocoder_index import GEOCODER_FILE
from routing.geocoding_words import normalize
from routing.network import project_m

from .routing_data import BANO_CSV, MONACO_PBF


def _queries(old: PickledGeocoder, count: int, seed: int) -> list[str]:
    """Labels of sampled entries, and the same lower-cased, with a typo, a word cut short
    (prefix matching), an unknown house number, and the street or name alone."""
    rng = random.Random(seed)
    entries = rng.sample(old.entries, min(count, len(old.entries)))
    out = []
    for entry in entries:
        place = entry.place
        words = place.label.replace(",", " ").split()
        out.append(place.label)
        out.append(normalize(place.label))
        if len(words) > 1:
            w = rng.randrange(len(words))
            if len(words[w]) > 4:
                typo = words[w][:2] + words[w][3:]
                out.append(" ".join(words[:w] + [typo] + words[w + 1:]))
            out.append(" ".join(words[:-1] + [words[-1][: max(4, len(words[-1]) - 2)]]))
        if place.street:
            out.append(f"9999 {place.street} {place.city or ''}")
            out.append(place.street)
        if place.name:
            out.append(place.name[:5])
    return out


def _answer(call, *args, **kwargs):
    """The place ``call`` returns, or the name of the error it raises."""
    try:
        return call(*args, **kwargs)
    except (routing.AddressNotFound, routing.OutsideNetworkArea) as exc:
        return type(exc).__name__


def _same_answers(old, new, queries, points) -> None:
    for q in queries:
        assert new.search(q, limit=5) == old.search(q, limit=5), q
        assert _answer(new.geocode, q) == _answer(old.geocode, q), q
    for lat, lon in points:
        for max_d in (None, 30.0, 1000.0):
            a = _answer(new.reverse, lat, lon, max_distance_m=max_d)
            b = _answer(old.reverse, lat, lon, max_distance_m=max_d)
            if a != b:  # the cKDTree ordered points at the same distance as it liked
                assert _reverse_key(old, lat, lon, a) == _reverse_key(old, lat, lon, b), (
                    lat, lon, max_d)


def _reverse_key(old: PickledGeocoder, lat: float, lon: float, place) -> tuple[str, float]:
    """Kind of a reverse answer and the distance of its nearest point to (lat, lon)."""
    old._ensure_tree()
    pts = np.array([(a, b) for a, b, i in old._rev_points if old.entries[i].place == place])
    xy = project_m(pts[:, 0], pts[:, 1], old._lat0)
    q = project_m(np.array([lat]), np.array([lon]), old._lat0)[0]
    return place.kind, round(float(np.min(np.hypot(*(xy - q).T))), 6)


def _points(bounds, count: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    s, w, n, e = bounds
    return list(zip(rng.uniform(s, n, count).tolist(), rng.uniform(w, e, count).tolist(),
                    strict=True))


@pytest.fixture(scope="module")
def monaco_old() -> PickledGeocoder:
    return build_geocoder(MONACO_PBF, into=PickledGeocoder())


def test_mapped_index_answers_as_the_pickled_one_on_the_demo(monaco_old, geocoder):
    assert isinstance(geocoder, routing.OfflineGeocoder)
    assert geocoder._base is not None  # loaded from the bundle, nothing in memory
    assert len(geocoder) == len(monaco_old.entries)
    queries = [q for trip in TRIPS for q in trip] + _queries(monaco_old, 400, seed=1)
    queries += ["av. princesse grace", "10 AVENUE PRINCESSE-GRACE 98000", "st charles",
                "avenue princese grace", "xyzzy plugh", "12", "bd de la republique, beausoleil"]
    points = [(p.lat, p.lon) for p in (e.place for e in random.Random(2).sample(
        monaco_old.entries, 100))] + _points(monaco_old.bounds, 100, seed=3)
    _same_answers(monaco_old, geocoder, queries, points)


def test_built_and_saved_indexes_agree_and_places_added_after_loading_count(monaco_old,
                                                                            cache_dir):
    bano = routing.import_address_csv(BANO_CSV)
    old = build_geocoder(MONACO_PBF, into=PickledGeocoder()).extend(bano)
    built = build_geocoder(MONACO_PBF).extend(bano)  # in memory, never saved
    loaded = routing.OfflineGeocoder.load(cache_dir).extend(bano)
    queries = ["10 r hector malot paris", "11 RUE HECTOR-MALOT 75012", "rue hector malo",
               "beausoleil"] + [p.label for p in bano] + _queries(monaco_old, 60, seed=4)
    points = [(p.lat, p.lon) for p in bano[:10]] + _points(monaco_old.bounds, 20, seed=5)
    for new in (built, loaded):
        old.bounds = new.bounds = None  # Paris is outside the extract: compare the matches
        _same_answers(old, new, queries, points)


@pytest.fixture(scope="module")
def territory_geocoders(tmp_path_factory):
    """A synthetic territory's index, previous and memory-mapped."""
    work = tmp_path_factory.mktemp("geocoder-territory")
    pbf = work / "territory.osm.pbf"
    towns = write_territory(pbf, 6000, seed=7)
    old = build_geocoder(pbf, into=PickledGeocoder())
    build_geocoder(pbf).save(work / GEOCODER_FILE)
    return old, routing.make_geocoder("offline", cache_dir=work), towns


def test_mapped_index_answers_as_the_pickled_one_on_a_territory(territory_geocoders):
    old, new, towns = territory_geocoders
    assert len(towns) > 3 and len(new) == len(old.entries) > 1000
    queries = [f"{a} {t.name}" for t in towns for a in t.addresses[:15]]
    queries += [t.name for t in towns] + _queries(old, 300, seed=8)
    points = [(e.place.lat, e.place.lon) for e in random.Random(9).sample(old.entries, 100)]
    _same_answers(old, new, queries, points + _points(old.bounds, 100, seed=10))


def test_the_index_is_a_bundle_of_arrays(cache_dir):
    assert (cache_dir / GEOCODER_FILE).exists()
    assert not (cache_dir / "geocoder.pkl").exists()
    g = routing.OfflineGeocoder.load(cache_dir)
    # read-only views over the file's mapping: shared by every process that opens it
    assert all(isinstance(a, np.ndarray) and not a.flags.writeable and not a.flags.owndata
               for a in (g._base.lat, g._base.post_ids, g._base.vocab, g._base.rev_lat))
