"""The beneficiary's home page shows their own rental, checkpoint, money and advisor only."""

from datetime import timedelta

import pytest

from mobility.auth.models import User
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.platforms.models import Platform
from tests.factories import (
    create_amie_beneficiary,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
    login,
)


@pytest.fixture
def two_people(app):
    advisor = create_user("advisor")
    platform = db.session.get(Platform, advisor.platform_id)
    site = create_site(platform)
    people = []
    for n in range(2):
        # two different names, so that "the other's name is absent" can fail
        person = create_amie_beneficiary(platform, first_name=("Inès", "Bastien")[n],
                                         last_name=("Durand", "Lefebvre")[n])
        user = create_user("beneficiary", platform=platform)
        person.user_id = user.id
        db.session.commit()
        vehicle = create_vehicle(site, kind="e_bike", plate=f"VAE-{n}")
        rental = create_rental(vehicle, person, start_date=local_today() - timedelta(days=3),
                               end_date=local_today() + timedelta(days=25), status="in_progress",
                               advisor_id=advisor.id)
        people.append((person, user, rental))
    return advisor, people


def test_home_shows_my_rental_checkpoint_money_and_advisor(client, two_people):
    advisor, [(me, my_user, my_rental), (other, _, other_rental)] = two_people
    login(client, db.session.get(User, my_user.id))
    page = client.get("/dashboard", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "VAE-0" in page and "VAE-1" not in page
    assert 'data-testid="my-checkpoint"' in page
    first_checkpoint = my_rental.start_date + timedelta(days=7)
    assert str(first_checkpoint.year) in page
    assert "Déjà payé" in page
    assert advisor.full_name in page
    assert me.last_name != other.last_name
    assert other.last_name not in page and other.first_name not in page


def test_another_rentals_contract_is_not_reachable(client, two_people):
    _, [(_, my_user, _), (_, _, other_rental)] = two_people
    login(client, db.session.get(User, my_user.id))
    for path in (f"/contracts/rentals/{other_rental.id}",
                 f"/contracts/rentals/{other_rental.id}/contract.pdf",
                 f"/payments/rentals/{other_rental.id}"):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert b"VAE-1" not in response.data


def test_my_commute_page_without_a_check(client, two_people):
    _, [(_, my_user, _), _] = two_people
    login(client, db.session.get(User, my_user.id))
    page = client.get("/portal/commute", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert "pas encore vérifié" in page.get_data(as_text=True)


def test_an_overdue_return_is_said_plainly(client, two_people):
    _, [(_, my_user, my_rental), _] = two_people
    my_rental = db.session.get(type(my_rental), my_rental.id)
    my_rental.end_date = local_today() - timedelta(days=2)
    db.session.commit()
    login(client, db.session.get(User, my_user.id))
    page = client.get("/dashboard", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "La date de retour est passée" in page
