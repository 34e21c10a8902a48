"""Phone numbers of any country with `phonenumbers`: E.164 in the database, national form on
pages, the platform's country as default region, French overseas prefixes as hints, mobiles
told from landlines; beneficiary files and portal sign-in use them."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from mobility.core.db import db
from mobility.people.models import Beneficiary
from mobility.people.services import create_beneficiary as create_file
from mobility.people.services import update_beneficiary
from mobility.platforms.models import Platform
from mobility.platforms.phones import (
    InvalidPhoneNumber,
    display_phone,
    is_mobile,
    match_key,
    normalise_mobile,
    normalise_phone,
)
from tests.factories import api_token, bearer, create_platform, create_user, login


@pytest.mark.parametrize("typed, e164, mobile, shown", [
    ("06 12 34 56 78", "+33612345678", True, "06 12 34 56 78"),
    ("+33 (0)6 12 34 56 78", "+33612345678", True, "06 12 34 56 78"),
    ("0033 6 12 34 56 78", "+33612345678", True, "06 12 34 56 78"),
    ("04 93 41 00 00", "+33493410000", False, "04 93 41 00 00"),
    ("+377 6 12 34 56 78", "+377612345678", True, "+377 6 12 34 56 78"),  # Monaco mobile
    ("+377 93 15 00 00", "+37793150000", False, "+377 93 15 00 00"),  # Monaco landline
    ("+39 312 345 6789", "+393123456789", True, "+39 312 345 6789"),  # Italy
    ("+32 470 12 34 56", "+32470123456", True, "+32 470 12 34 56"),  # Belgium
    ("+508 55 12 34", "+508551234", True, "+508 55 12 34"),  # Saint-Pierre-et-Miquelon
    ("0692 12 34 56", "+262692123456", True, "0692 12 34 56"),  # La Réunion
    ("0693 12 34 56", "+262693123456", True, "0693 12 34 56"),
    ("0262 12 34 56", "+262262123456", False, "0262 12 34 56"),
    ("0690 12 34 56", "+590690123456", True, "0690 12 34 56"),  # Guadeloupe
    ("0691 28 12 34", "+590691281234", True, "0691 28 12 34"),
    ("0696 12 34 56", "+596696123456", True, "0696 12 34 56"),  # Martinique
    ("0697 12 34 56", "+596697123456", True, "0697 12 34 56"),
    ("0694 20 12 34", "+594694201234", True, "0694 20 12 34"),  # Guyane
    ("0639 69 12 34", "+262639691234", True, "0639 69 12 34"),  # Mayotte
])
def test_numbers_are_stored_in_e164_and_shown_as_people_dial_them(typed, e164, mobile, shown):
    assert normalise_phone(typed) == e164
    assert is_mobile(e164) is mobile and is_mobile(typed) is mobile
    assert display_phone(e164, "FR") == shown
    if not mobile:
        with pytest.raises(InvalidPhoneNumber):
            normalise_mobile(typed)


def test_the_platform_country_reads_national_numbers():
    assert normalise_phone("06 12 34 56 78", "MC") == "+377612345678"
    assert normalise_phone("0470 12 34 56", "BE") == "+32470123456"
    assert normalise_phone("0692 12 34 56", "RE") == "+262692123456"
    assert normalise_phone("06 12 34 56 78", "RE") == "+33612345678"  # same numbering plan
    assert display_phone("+33612345678", "BE") == "+33 6 12 34 56 78"


@pytest.mark.parametrize("typed", ["", "06 12", "12345678901", "+999 12 34 56", "06 12 34 56 7a",
                                   "00 12 34 56 78", "x" * 50])
def test_what_is_no_number_is_refused(typed):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(typed)
    assert match_key(typed) is None


def test_a_beneficiary_file_stores_e164_and_refuses_a_bad_number(app):
    platform = create_platform()
    advisor = create_user("advisor", platform=platform)
    person = create_file(advisor, {"first_name": "Inès", "last_name": "Moreau",
                                   "birth_date": date(1994, 3, 2), "phone": "0692 12 34 56"})
    assert person.phone == "+262692123456"
    update_beneficiary(advisor, person, {"phone": "+377 6 12 34 56 78"})
    assert db.session.get(Beneficiary, person.id).phone == "+377612345678"


def test_the_api_refuses_a_bad_number_and_changes_nothing(app, client):
    platform = create_platform()
    advisor = create_user("advisor", platform=platform)
    token = api_token(client, advisor)
    response = client.post("/api/v1/beneficiaries", headers=bearer(token), json={
        "first_name": "Inès", "last_name": "Moreau", "birth_date": "1994-03-02",
        "phone": "06 12"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "phone" in error["details"]
    assert "indicatif" in error["messages"]["fr"] or "indicatif" in str(error["details"])
    assert db.session.scalar(select(sa.func.count()).select_from(Beneficiary)) == 0


def test_the_file_shows_the_national_form_and_flags_a_landline(app, client):
    platform = create_platform()
    advisor = create_user("advisor", platform=platform)
    mobile = create_file(advisor, {"first_name": "A", "last_name": "Mobile",
                                   "phone": "+33612345678"})
    landline = create_file(advisor, {"first_name": "B", "last_name": "Fixe",
                                     "phone": "04 93 41 00 00"})
    login(client, advisor)
    page = client.get(f"/people/beneficiaries/{mobile.id}").get_data(as_text=True)
    assert 'href="tel:+33612345678">06 12 34 56 78</a>' in page and 'data-testid="landline"' \
        not in page
    page = client.get(f"/people/beneficiaries/{landline.id}").get_data(as_text=True)
    assert "04 93 41 00 00" in page and "fixe : pas de SMS" in page
    found = client.get("/people/beneficiaries?q=06.12.34.56.78").get_data(as_text=True)
    assert "Mobile" in found and "Fixe" not in found


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78",
                                   "0033612345678", "06.12.34.56.78", "+33 (0)6 12 34 56 78"])
def test_portal_sign_in_matches_the_number_however_it_is_typed(app, typed):
    from mobility.portal.services import find_beneficiary

    platform = create_platform()
    advisor = create_user("advisor", platform=platform)
    person = create_file(advisor, {"first_name": "Inès", "last_name": "Moreau",
                                   "birth_date": date(1994, 3, 2), "phone": "06 12 34 56 78"})
    assert find_beneficiary(typed, date(1994, 3, 2)).id == person.id
    assert find_beneficiary(typed, date(1994, 3, 3)) is None


def test_portal_sign_in_with_an_overseas_or_foreign_number(app):
    from mobility.portal.services import find_beneficiary

    platform = create_platform()
    advisor = create_user("advisor", platform=platform)
    create_file(advisor, {"first_name": "R", "last_name": "Réunion", "birth_date": date(1990, 1, 1),
                          "phone": "0692 12 34 56"})
    create_file(advisor, {"first_name": "M", "last_name": "Monaco", "birth_date": date(1990, 1, 1),
                          "phone": "+377 6 12 34 56 78"})
    assert find_beneficiary("+262 692 12 34 56", date(1990, 1, 1)).last_name == "Réunion"
    assert find_beneficiary("00377612345678", date(1990, 1, 1)).last_name == "Monaco"


def test_the_migration_normalises_stored_numbers(tmp_path):
    """0011 rewrites the numbers stored before it in E.164 and leaves what is no number."""
    from flask_migrate import upgrade

    from mobility import create_app
    from mobility.config import PROJECT_ROOT

    url = f"sqlite:///{tmp_path / 'm.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    directory = str(PROJECT_ROOT / "mobility" / "migrations")
    with app.app_context():
        upgrade(directory=directory, revision="0010_lifecycle")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO platforms (id, slug, name, created_at) "
                                 "VALUES (1, 'p', 'P', '2026-01-01 00:00:00')"))
            for n, phone in enumerate(["06 12 34 56 78", "0692 12 34 56", "not a phone", None],
                                      start=1):
                conn.execute(sa.text(
                    "INSERT INTO beneficiaries (id, platform_id, first_name, last_name, phone, "
                    "receives_rsa, lives_in_qpv, has_disability, has_licence_b, "
                    "membership_fee_paid, created_at, updated_at) VALUES (:id, 1, 'A', 'B', "
                    ":phone, 0, 0, 0, 0, 0, '2026-01-01', '2026-01-01')"),
                    {"id": n, "phone": phone})
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            phones = [p for (p,) in conn.execute(sa.text(
                "SELECT phone FROM beneficiaries ORDER BY id"))]
            country = conn.execute(sa.text("SELECT country FROM platforms")).scalar()
        db.engine.dispose()
    assert phones == ["+33612345678", "+262692123456", "not a phone", None]
    assert country == "FR"
    assert Platform.__table__.c.country.server_default is not None


def test_a_platform_created_for_monaco_reads_monegasque_numbers(app):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["platforms", "create", "--slug", "x", "--name", "X",
                              "--country", "ZZ"])
    assert bad.exit_code != 0 and "deux lettres" in bad.output
    assert db.session.scalar(select(Platform).where(Platform.slug == "x")) is None
    result = runner.invoke(args=["platforms", "create", "--slug", "monaco", "--name", "Monaco",
                                 "--country", "mc"])
    assert result.exit_code == 0, result.output
    platform = db.session.scalar(select(Platform).where(Platform.slug == "monaco"))
    assert platform.country == "MC"
    advisor = create_user("advisor", platform=platform)
    person = create_file(advisor, {"first_name": "A", "last_name": "B",
                                   "phone": "06 12 34 56 78"})
    assert person.phone == "+377612345678"
