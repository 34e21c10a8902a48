import pytest

import routing
from routing.geocoding import GeopyGeocoder
from routing.geocoding_words import normalize, tokenize

from .routing_data import BANO_CSV, MONACO_PBF


def test_normalize_strips_accents_case_and_punctuation():
    assert normalize("Cap-d'Ail") == "cap d ail"
    assert normalize("ÈZE") == "eze"
    assert tokenize("Av. Princesse-Grâce") == ["avenue", "princesse", "grace"]
    assert tokenize("bd du Jardin") == ["boulevard", "jardin"]


@pytest.mark.parametrize(
    "query, label",
    [
        ("av. princesse grace", "Avenue Princesse Grace, Monaco"),
        ("avenue princesse grace beausoleil", "Avenue Princesse Grace, Beausoleil"),
        ("10 av princesse grace", "10 Avenue Princesse Grace, 98000 Monaco"),
        ("10 AVENUE PRINCESSE-GRACE 98000", "10 Avenue Princesse Grace, 98000 Monaco"),
        ("bd de la republique, beausoleil", "Boulevard de la République, Beausoleil"),
        ("quai antoine ier", "Quai Antoine 1er, Monaco"),
        ("1 av. pierre weck cap-d'ail", "1 Avenue Pierre Weck, 06320 Cap-d'Ail"),
        ("st charles", "Saint-Charles, Monaco"),
    ],
)
def test_addresses_and_streets_with_abbreviations_and_accents(geocoder, query, label):
    if label is None:
        with pytest.raises(routing.AddressNotFound):
            geocoder.geocode(query)
    else:
        assert geocoder.geocode(query).label == label


@pytest.mark.parametrize(
    "query, name",
    [("beausoleil", "Beausoleil"), ("cap d ail", "Cap-d'Ail"), ("CAP-D'AIL", "Cap-d'Ail"),
     ("eze", "Èze"), ("Èze", "Èze"), ("la turbie", "La Turbie"),
     ("roquebrune cap martin", "Roquebrune-Cap-Martin"), ("monaco", "Monaco")],
)
def test_commune_names(geocoder, query, name):
    place = geocoder.geocode(query)
    assert place.kind == "municipality"
    assert place.name == name


def test_streets_know_their_commune(geocoder):
    place = geocoder.geocode("avenue de varavilla")
    assert place.kind == "street" and place.city == "Beausoleil"
    assert geocoder.geocode("place du casino").city == "Monaco"


def test_unknown_house_number_falls_back_to_the_street(geocoder):
    place = geocoder.geocode("9999 avenue princesse grace monaco")
    assert place.kind == "street"
    assert place.housenumber is None
    assert place.label == "Avenue Princesse Grace, Monaco"


def test_typo_tolerance(geocoder):
    assert geocoder.geocode("avenue princese grace").street == "Avenue Princesse Grace"


@pytest.mark.parametrize("query", ["xyzzy plugh", "rue de rivoli paris", "", "   ", "12"])
def test_unknown_addresses_raise_address_not_found(geocoder, query):
    with pytest.raises(routing.AddressNotFound):
        geocoder.geocode(query)


def test_reverse_geocoding(geocoder):
    addr = geocoder.geocode("10 avenue princesse grace")
    assert geocoder.reverse(addr.lat, addr.lon).label == addr.label
    near = geocoder.reverse(43.75155, 7.43795)
    assert near.city == "Beausoleil"
    assert near.kind == "street"
    assert near.attribution == routing.ATTRIBUTION


def test_reverse_outside_area(geocoder):
    with pytest.raises(routing.OutsideNetworkArea):
        geocoder.reverse(48.8647, 2.3708)
    with pytest.raises(routing.AddressNotFound):
        geocoder.reverse(43.7155, 7.44, max_distance_m=50)  # at sea, inside the bounding box


def test_import_bano_csv():
    places = routing.import_address_csv(BANO_CSV)
    assert len(places) == 36
    first = places[0]
    assert (first.housenumber, first.street, first.postcode, first.city) == (
        "10", "Rue Hector Malot", "75012", "Paris")
    assert first.lat == pytest.approx(48.845680)
    assert first.source == "bano"
    g = routing.OfflineGeocoder().extend(places)
    assert g.geocode("10 r hector malot paris").point == pytest.approx((48.845680, 2.375735))
    assert g.geocode("11 RUE HECTOR-MALOT 75012").housenumber == "11"


def test_imported_addresses_outside_the_network_area_are_rejected(cache_dir):
    g = routing.OfflineGeocoder.load(cache_dir)
    g.extend(routing.import_address_csv(BANO_CSV))
    with pytest.raises(routing.OutsideNetworkArea):
        g.geocode("10 rue hector malot paris")
    assert g.geocode("beausoleil").name == "Beausoleil"


def test_geocoder_index_is_cached(cache_dir):
    assert (cache_dir / "geocoder.index").exists()
    again = routing.make_geocoder("offline", cache_dir=cache_dir)
    assert len(again) > 1000


def test_missing_geocoder_index(tmp_path):
    with pytest.raises(routing.GeocoderNotConfigured):
        routing.make_geocoder("offline", cache_dir=tmp_path)


@pytest.mark.parametrize(
    "kind, options, cls_name",
    [
        ("ban", {"domain": "ban.internal:7878", "scheme": "http"}, "BANFrance"),
        ("nominatim", {"domain": "nominatim.internal", "user_agent": "tests"}, "Nominatim"),
        ("photon", {"domain": "photon.internal"}, "Photon"),
    ],
)
def test_geopy_geocoders_are_selectable(kind, options, cls_name):
    g = routing.make_geocoder(kind, **options)  # constructed only: no network in tests
    assert isinstance(g, GeopyGeocoder)
    assert type(g.backend).__name__ == cls_name
    assert g.kind == kind


def test_unknown_geocoder_kind():
    with pytest.raises(routing.GeocoderNotConfigured):
        routing.make_geocoder("google")


def test_geocoder_is_built_from_the_extract_only():
    from routing.geocoder_build import build_geocoder

    g = build_geocoder(MONACO_PBF)
    s, w, n, e = g.bounds
    assert 43.70 < s < n < 43.78 and 7.34 < w < e < 7.50


def test_answers_are_remembered_until_places_are_added(cache_dir):
    """A page geocodes the same addresses on every view: the answer (or the refusal) is
    remembered, and forgotten when the index gains places."""
    geocoder = routing.make_geocoder("offline", cache_dir=cache_dir)
    first = geocoder.geocode("avenue princese grace")
    assert geocoder.geocode("avenue princese grace") == first
    refusals = []
    for _ in range(2):
        with pytest.raises(routing.AddressNotFound) as caught:
            geocoder.geocode("rue des essais imaginaires")
        refusals.append(caught.value)
    assert refusals[0] is not refusals[1]  # a fresh error each time, same message
    assert str(refusals[0]) == str(refusals[1])
    lat, lon = first.lat, first.lon
    geocoder.add(routing.GeocodedPlace(label="Rue des Essais Imaginaires, Monaco", lat=lat,
                                       lon=lon, kind="street", street="Rue des Essais Imaginaires",
                                       city="Monaco"))
    assert geocoder.geocode("rue des essais imaginaires").street == "Rue des Essais Imaginaires"
