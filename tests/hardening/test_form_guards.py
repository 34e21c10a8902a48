"""Issue 14 item 7 for the web forms (the API has its own guard, `mobility.api._check_values`):
a NUL character in any field, query parameter or file name, and NaN / Infinity in a number
field, are refused with a clear message in French and English, on SQLite and PostgreSQL, and
nothing changes. Every POST form of the app is walked; each number field is tried on both
sides (a finite value is accepted)."""

from __future__ import annotations

import io
import json

import pytest
from flask_wtf import FlaskForm
from wtforms import DecimalField, FloatField

from fleet.models import MaintenanceJob
from mobility.core.db import db
from mobility.partners import datainclusion
from mobility.partners.models import PublishedStructure
from mobility.platforms.models import Platform
from mobility.security import FiniteDecimalField, FiniteFloatField
from tests.factories import (
    create_maintenance_job,
    create_money_rental,
    create_user,
    create_vehicle,
    csrf_token_from,
    login,
)
from tests.hardening.test_access_walk import ARGUMENT, _snapshot

NUL = "Léa\x00Martin"
NUL_REFUSED = {"fr": "Ce texte contient un caractère non autorisé.",
               "en": "This text holds a character that is not allowed."}
NOT_FINITE = {"fr": "Doit être un nombre fini.", "en": "Must be a finite number."}
NON_FINITE_VALUES = ["nan", "NaN", "inf", "-Infinity"]


def _signed_in(client, role: str, platform: Platform | None = None):
    user = create_user(role, platform=platform)
    login(client, user)
    csrf = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    return user, csrf


def _post_rules(app) -> list[str]:
    """The web (not API) URL rules that take a POST, their ids set to 1."""
    return sorted({
        ARGUMENT.sub(lambda m: "1" if (m.group(1) or "") == "int" else "x", rule.rule)
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    })


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_web_form_refuses_a_nul_character_and_changes_nothing(app, client, language):
    user, csrf = _signed_in(client, "admin")
    create_money_rental(db.session.get(Platform, user.platform_id))  # records for the ids
    before = _snapshot(mine=-1)
    wrong = []
    for url in _post_rules(app):
        response = client.post(url, data={"csrf_token": csrf, "name": NUL, "note": NUL},
                               headers={"Accept-Language": language})
        body = (json.dumps(response.get_json(), ensure_ascii=False) if response.is_json
                else response.get_data(as_text=True))  # the Stripe webhook answers JSON
        if response.status_code != 400 or NUL_REFUSED[language] not in body:
            wrong.append((url, response.status_code))
    assert wrong == []
    assert _snapshot(mine=-1) == before


def test_a_nul_character_in_a_query_or_a_file_name_is_refused(app, client):
    user, csrf = _signed_in(client, "fleet_manager")
    vehicle = create_vehicle(platform=db.session.get(Platform, user.platform_id))
    response = client.get("/fleet/vehicles?q=Martin%00", headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    assert NUL_REFUSED["fr"] in response.get_data(as_text=True)
    before = _snapshot(mine=-1)
    png = io.BytesIO(b"\x89PNG\r\n\x1a\n")
    upload = client.post(f"/fleet/vehicles/{vehicle.id}/photos",
                         data={"csrf_token": csrf, "photo": (png, "photo\x00.png")},
                         content_type="multipart/form-data")
    assert upload.status_code == 400
    assert _snapshot(mine=-1) == before
    # the other side: text without a NUL goes through the guard
    assert client.get("/fleet/vehicles?q=Martin").status_code == 200


def test_every_number_field_of_the_forms_refuses_nan_and_infinity():
    """Each float or decimal field in the app's forms is a finite one (the guard's reach)."""
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    import mobility

    mobility.create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                         "SECRET_KEY": "x"})  # imports every feature's forms
    plain = []
    for form in subclasses(FlaskForm):
        for name in dir(form):
            field = getattr(form, name)
            kind = getattr(field, "field_class", None)
            if kind is None:
                continue
            if (issubclass(kind, FloatField) and not issubclass(kind, FiniteFloatField)) or (
                    issubclass(kind, DecimalField) and not issubclass(kind, FiniteDecimalField)):
                plain.append(f"{form.__module__}.{form.__name__}.{name}")
    assert plain == []


def _structure_form(structure: PublishedStructure, csrf: str, **values) -> dict:
    return {"csrf_token": csrf, "name": structure.name or "Plateforme mobilité",
            "description": "Location de véhicules", "postcode": "06240",
            "city": "Beausoleil"} | values


@pytest.mark.parametrize("value", [*NON_FINITE_VALUES, "1e999"])  # a float too large: inf
@pytest.mark.parametrize("language", ["fr", "en"])
def test_coordinates_of_the_published_structure_must_be_finite(app, client, value, language):
    user, csrf = _signed_in(client, "admin")
    platform = db.session.get(Platform, user.platform_id)
    structure = datainclusion.structure_of(platform)
    db.session.commit()
    response = client.post("/partners/data-inclusion",
                           data=_structure_form(structure, csrf, latitude=value,
                                                longitude="7.42"),
                           headers={"Accept-Language": language})
    assert response.status_code == 400
    assert NOT_FINITE[language] in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PublishedStructure, structure.id).latitude is None
    # the other side: finite coordinates are saved
    saved = client.post("/partners/data-inclusion",
                        data=_structure_form(structure, csrf, latitude="43.74",
                                             longitude="7.42"))
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(PublishedStructure, structure.id).latitude == pytest.approx(43.74)


@pytest.mark.parametrize("value", [*NON_FINITE_VALUES, "sNaN"])
def test_a_maintenance_cost_must_be_finite(app, client, value):
    user, csrf = _signed_in(client, "fleet_manager")
    platform = db.session.get(Platform, user.platform_id)
    job = create_maintenance_job(create_vehicle(platform=platform))
    refused = client.post(f"/fleet/maintenance/{job.id}/complete",
                          data={"csrf_token": csrf, "cost": value},
                          headers={"Accept-Language": "fr"}, follow_redirects=True)
    assert refused.status_code == 200  # back on the board, with the form's error
    assert "Certains champs sont manquants ou incorrects." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(MaintenanceJob, job.id).status == "open"
    done = client.post(f"/fleet/maintenance/{job.id}/complete",
                       data={"csrf_token": csrf, "cost": "85.50"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(MaintenanceJob, job.id).cost_cents == 8550
