"""Phone numbers, and choosing how reminders reach a person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mobility.core.db import db
from mobility.notifications.models import NotificationPreference
from mobility.platforms.phones import InvalidPhoneNumber, normalise_mobile, normalise_phone
from tests.factories import create_beneficiary, create_platform, create_user, csrf_token_from, login


@pytest.mark.parametrize("raw, e164", [
    ("06 12 34 56 78", "+33612345678"),
    ("06.12.34.56.78", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("+33 (0)6 12 34 56 78", "+33612345678"),
    ("0033612345678", "+33612345678"),
    ("04 93 41 00 00", "+33493410000"),
    ("0690 12 34 56", "+590690123456"),
    ("+262 692 12 34 56", "+262692123456"),
])
def test_french_numbers_are_normalised_to_e164(raw, e164):
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "06 12", "12345678901", "+999 12 34 56", "06 12 34 56 7a",
                                 "00 12 34 56 78"])
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw)


def test_landlines_cannot_receive_sms():
    assert normalise_mobile("07 98 76 54 32") == "+33798765432"
    with pytest.raises(InvalidPhoneNumber):
        normalise_mobile("04 93 41 00 00")


def _preference(**where):
    db.session.expire_all()
    return db.session.scalar(select(NotificationPreference).filter_by(**where))


def test_staff_choose_sms_with_a_mobile_number(client):
    user = create_user("fleet_manager")
    login(client, user)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    token = csrf_token_from(page)
    bad = client.post("/notifications/preferences",
                      data={"csrf_token": token, "channel": "sms", "phone": "04 93 41 00 00"})
    assert bad.status_code == 400 and "fixe" in bad.get_data(as_text=True)
    assert _preference(user_id=user.id) is None
    good = client.post("/notifications/preferences",
                       data={"csrf_token": token, "channel": "sms", "phone": "06 12 34 56 78"})
    assert good.status_code == 302
    preference = _preference(user_id=user.id)
    assert (preference.channel, preference.phone) == ("sms", "+33612345678")


def test_advisor_sets_a_beneficiarys_channel_and_others_cannot(client):
    platform = create_platform()
    person = create_beneficiary(platform, phone=None, email="lea@example.org")
    advisor = create_user("advisor", platform=platform)
    login(client, advisor)
    url = f"/notifications/beneficiaries/{person.id}/channel"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"csrf_token": token, "channel": "sms"})
    assert refused.status_code == 400  # no mobile number on file
    assert client.post(url, data={"csrf_token": token, "channel": "nope"}).status_code == 400
    assert _preference(beneficiary_id=person.id) is None
    assert client.post(url, data={"csrf_token": token, "channel": "call"}).status_code == 302
    assert _preference(beneficiary_id=person.id).channel == "call"

    stranger = create_user("advisor")  # another platform
    other = client.application.test_client()
    login(other, stranger)
    assert other.get(url).status_code == 404
    fleet = client.application.test_client()
    login(fleet, create_user("fleet_manager", platform=platform))
    assert fleet.get(url).status_code == 403


def test_beneficiary_chooses_for_themselves(client):
    platform = create_platform()
    account = create_user("beneficiary", platform=platform)
    person = create_beneficiary(platform, phone="07 81 22 33 44", user_id=account.id)
    login(client, account)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "+33781223344" not in page and "07 81 22 33 44" in page
    response = client.post("/notifications/preferences",
                           data={"csrf_token": csrf_token_from(page), "channel": "sms"})
    assert response.status_code == 302
    assert _preference(beneficiary_id=person.id).channel == "sms"
