"""The pages: "Trajet domicile-travail" of a file, "Vérifier un trajet", the street layer."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from mobility.commute.models import CommuteCheck
from mobility.core.db import db
from tests.factories import create_platform, create_user, csrf_token_from, login

from .helpers import CASINO_ADDRESS, create_commuter


def _form(html: str, **values) -> dict:
    data = {"csrf_token": csrf_token_from(html), "origin": "", "destination": "",
            "arrive_by": "", "leave_at": "", "days": ["monday", "tuesday"],
            "modes": ["walk", "bike", "car", "public_transport"]}
    data.update(values)
    return data


def test_beneficiary_page_prefilled_then_check_stored(client, app, gtfs):
    platform = create_platform()
    advisor = create_user("advisor", platform)
    person = create_commuter(platform, shift_start=time(6), shift_end=time(14))
    login(client, advisor)
    page = client.get(f"/commute/beneficiaries/{person.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Trajet domicile-travail" in html
    assert 'value="Avenue de Varavilla, 06240 Beausoleil"' in html
    assert 'value="06:00"' in html and 'value="14:00"' in html
    assert "Aucune vérification de trajet" in html
    response = client.post(f"/commute/beneficiaries/{person.id}", data=_form(
        html, origin=person.address, destination=person.workplace_address,
        arrive_by="06:00", leave_at="14:00"))
    assert response.status_code == 302
    check = db.session.scalar(select(CommuteCheck))
    assert check.beneficiary_id == person.id and check.arrive_by == time(6)
    assert set(check.modes) == {"walk", "bike", "car"}
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="commute-table"' in shown
    assert "Transports en commun" in shown and "km" in shown
    assert "Échelle des solutions" in shown and "Solution recommandée" in shown
    assert "© OpenStreetMap contributors" in shown
    assert 'id="commute-map-data"' in shown


def test_beneficiary_page_bad_address(client, app):
    platform = create_platform()
    login(client, create_user("advisor", platform))
    person = create_commuter(platform)
    html = client.get(f"/commute/beneficiaries/{person.id}").get_data(as_text=True)
    response = client.post(f"/commute/beneficiaries/{person.id}", data=_form(
        html, origin="Rue imaginaire, Atlantide", destination=CASINO_ADDRESS))
    assert response.status_code == 400
    assert "Aucune adresse, rue ou lieu ne correspond" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CommuteCheck.id))) == 0


def test_standalone_page_nothing_stored(client, app):
    login(client, create_user("advisor", create_platform()))
    html = client.get("/commute/check").get_data(as_text=True)
    assert "Vérifier un trajet" in html
    response = client.post("/commute/check", data=_form(
        html, origin="avenue du 3 Septembre, Cap-d'Ail", destination="Fontvieille, Monaco",
        arrive_by="22:00", leave_at="06:00"))
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert "finit le lendemain" in shown
    assert "© OpenStreetMap contributors" in shown
    assert db.session.scalar(select(func.count(CommuteCheck.id))) == 0
    same = client.post("/commute/check", data=_form(html, origin=CASINO_ADDRESS,
                                                    destination=CASINO_ADDRESS))
    assert same.status_code == 400
    assert "même lieu" in same.get_data(as_text=True)


def test_pages_without_network(client, app, no_network):
    platform = create_platform()
    login(client, create_user("advisor", platform))
    person = create_commuter(platform)
    for url in ("/commute/check", f"/commute/beneficiaries/{person.id}"):
        response = client.get(url)
        assert response.status_code == 503
        assert "Aucun réseau routier n'est configuré" in response.get_data(as_text=True)


def test_streets_layer(client, app):
    login(client, create_user("advisor", create_platform()))
    data = client.get("/commute/streets.geojson?bbox=43.735,7.415,43.745,7.43").get_json()
    classes = {f["properties"]["class"] for f in data["features"]}
    assert "major" in classes and "minor" in classes
    assert data["attribution"] == "© OpenStreetMap contributors"
    assert client.get("/commute/streets.geojson?bbox=43,7,44,8").status_code == 400
    assert client.get("/commute/streets.geojson?bbox=x").status_code == 400
    assert client.get("/commute/streets.geojson").get_json()["features"] == []


def test_assets_are_public(client, app):
    assert client.get("/commute/assets/commute.js").status_code == 200
    assert client.get("/commute/assets/other.js").status_code == 404
