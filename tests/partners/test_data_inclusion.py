"""The offer published to data·inclusion: the public feeds validate against the
`data-inclusion-schema` package's v1 Structure and Service models, carry only what admins
published and nothing about a person; admins edit them; SIRETs are checked."""

from __future__ import annotations

import pytest
from data_inclusion.schema.v1 import Service, Structure, Thematique
from sqlalchemy import select

from mobility.core.db import db
from mobility.partners import datainclusion
from mobility.partners.demo import DEMO_SIRETS
from mobility.partners.models import PublishedService
from mobility.platforms.models import Platform
from tests.factories import create_beneficiary, create_platform, create_user, csrf_token_from, login


def _demo_platform():
    from mobility.demo import load_demo

    return load_demo()


def _feeds(client):
    datainclusion.clear_cache()
    structures = client.get("/api/v1/data-inclusion/structures")
    services = client.get("/api/v1/data-inclusion/services")
    assert structures.status_code == services.status_code == 200
    return structures, services


def test_the_demo_publishes_a_complete_structure_and_its_services(sqlite_app):
    platform = _demo_platform()
    client = sqlite_app.test_client()
    structures, services = _feeds(client)
    assert structures.headers["Cache-Control"].startswith("public, max-age=")
    [structure] = structures.get_json()
    model = Structure.model_validate(structure)
    assert set(structure) <= set(Structure.model_fields)  # no field the schema does not know
    assert model.siret == DEMO_SIRETS["platform"] == platform.siret
    for name in ("nom", "siret", "adresse", "code_postal", "commune", "telephone", "courriel",
                 "horaires_accueil", "description", "site_web"):
        assert structure[name], name
    items = services.get_json()
    assert len(items) == len(datainclusion.OFFERS)
    mobility_themes = {t.value for t in Thematique if t.value.startswith("mobilite--")}
    for item in items:
        service = Service.model_validate(item)
        assert set(item) <= set(Service.model_fields)
        assert service.structure_id == model.id
        assert service.thematiques and {t.value for t in service.thematiques} <= mobility_themes
        assert service.mobilisable_par and item["mobilisation_precisions"]
        assert item["publics"] and item["zone_eligibilite"] == ["06"]
    assert len({i["id"] for i in items}) == len(items)
    kinds = {i["id"].rsplit("--", 1)[1] for i in items}
    assert {"assessment", "coaching", "workshop", "bike-rental", "ebike-rental",
            "moped-rental", "car-rental", "carpool", "minibus"} == kinds


def test_nothing_about_a_person_appears(sqlite_app):
    platform = _demo_platform()
    person = create_beneficiary(db.session.get(Platform, platform.id),
                                first_name="Zéphyrine", last_name="Quasimodo-Unique", ready=True)
    structures, services = _feeds(sqlite_app.test_client())
    text = structures.get_data(as_text=True) + services.get_data(as_text=True)
    assert "Zéphyrine" not in text and "Quasimodo" not in text
    assert person.email is None or person.email not in text


def test_unpublished_and_siret_less_platforms_stay_out(client):
    platform = create_platform()
    admin = create_user("admin", platform=platform)
    structures, services = _feeds(client)
    assert structures.get_json() == [] and services.get_json() == []

    login(client, admin)
    page = client.get("/partners/data-inclusion")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    refused = client.post("/partners/data-inclusion", data={
        "csrf_token": token, "name": "Mobilité solidaire du Var", "published": "y"})
    assert refused.status_code == 400  # no SIRET yet
    assert _feeds(client)[0].get_json() == []

    bad_siret = client.post("/partners/sirets", data={"csrf_token": token,
                                                      "target": "platform",
                                                      "siret": "12345678901234"})
    assert bad_siret.status_code == 400
    db.session.expire_all()
    assert db.session.get(Platform, platform.id).siret is None
    ok = client.post("/partners/sirets", data={"csrf_token": token, "target": "platform",
                                               "siret": "900 000 118 00019"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(Platform, platform.id).siret == "90000011800019"

    saved = client.post("/partners/data-inclusion", data={
        "csrf_token": token, "name": "Mobilité solidaire du Var", "published": "y",
        "postcode": "83000", "city": "Toulon", "email": "contact@var.example.org",
        "opening_hours": "Mo-Fr 09:00-17:00"})
    assert saved.status_code == 302
    [structure] = _feeds(client)[0].get_json()
    assert Structure.model_validate(structure).nom == "Mobilité solidaire du Var"
    assert _feeds(client)[1].get_json() == []  # no service published yet

    service = db.session.scalar(select(PublishedService).where(
        PublishedService.platform_id == platform.id, PublishedService.offer == "car_rental"))
    url = f"/partners/data-inclusion/services/{service.id}"
    bad = client.post(url, data={"csrf_token": token, "name": "Location.", "description": "x",
                                 "fees": "payant", "audiences": ["tous-publics", "jeunes"],
                                 "eligibility_zone": "Var"})
    assert bad.status_code == 400
    good = client.post(url, data={
        "csrf_token": token, "published": "y", "name": "Voitures solidaires",
        "description": "Location de voitures à tarif solidaire.", "fees": "payant",
        "audiences": ["demandeurs-emploi", "jeunes"], "eligibility_zone": "83, 06088"})
    assert good.status_code == 302
    [item] = _feeds(client)[1].get_json()
    parsed = Service.model_validate(item)
    assert parsed.nom == "Voitures solidaires" and parsed.zone_eligibilite == ["83", "06088"]
    assert {t.value for t in parsed.thematiques} == {"mobilite--acceder-a-un-vehicule",
                                                     "mobilite--financer-ma-mobilite"}


def test_only_admins_edit_and_the_feeds_are_public(client, app):
    advisor = create_user("advisor")
    login(client, advisor)
    assert client.get("/partners/data-inclusion").status_code == 403
    assert client.get("/partners/sirets").status_code == 403
    other = create_user("admin", platform=create_platform())
    service = datainclusion.services_of(db.session.get(Platform, other.platform_id))[0]
    db.session.commit()
    admin = create_user("admin", platform=advisor.platform)
    admin_client = app.test_client()
    login(admin_client, admin)
    assert admin_client.get(f"/partners/data-inclusion/services/{service.id}"
                            ).status_code == 404


@pytest.mark.parametrize("value,ok", [("73282932000074", True), ("732 829 320 00074", True),
                                      ("73282932000075", False), ("7328293200007", False),
                                      ("ABCDEFGHIJKLMN", False)])
def test_siret_check(sqlite_app, value, ok):
    from mobility.core.errors import ValidationFailed
    from mobility.platforms.siret import clean_siret

    if ok:
        assert clean_siret(value) == "73282932000074"
    else:
        with pytest.raises(ValidationFailed):
            clean_siret(value)


def test_sirets_through_the_api(client):
    from mobility.organisations.models import PartnerOrganisation
    from tests.factories import api_token, bearer, create_organisation

    admin = create_user("admin")
    organisation = create_organisation(admin.platform)
    foreign = create_organisation(create_platform())
    headers = bearer(api_token(client, admin))
    bad = client.put("/api/v1/platform/siret", json={"siret": "12345678901234"},
                     headers=headers)
    assert bad.status_code == 400 and "siret" in bad.get_json()["error"]["details"]
    ok = client.put(f"/api/v1/partner-organisations/{organisation.id}/siret",
                    json={"siret": "732 829 320 00074"}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["siret"] == "73282932000074"
    assert client.put(f"/api/v1/partner-organisations/{foreign.id}/siret",
                      json={"siret": "73282932000074"}, headers=headers).status_code == 404
    advisor = create_user("advisor", platform=admin.platform)
    assert client.put("/api/v1/platform/siret", json={"siret": None},
                      headers=bearer(api_token(client, advisor))).status_code == 403
    db.session.expire_all()
    assert db.session.get(PartnerOrganisation, foreign.id).siret is None
    assert db.session.get(Platform, admin.platform_id).siret is None
