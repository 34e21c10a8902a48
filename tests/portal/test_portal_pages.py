"""The beneficiary's code sign-in through the pages, the outbox and a real SMS receiver."""

import re
from datetime import date

import pytest

from mobility.core.db import db
from mobility.people.models import Beneficiary
from tests.factories import create_amie_beneficiary, csrf_token_from
from tests.notifications.servers import notify_config, sms_receiver  # noqa: F401


@pytest.fixture
def person(app):
    return create_amie_beneficiary(phone="06 12 34 56 78", email="ines@example.org",
                                   birth_date=date(1994, 3, 2))


def _request_code(client, contact="0612345678", birth_date="1994-03-02"):
    token = csrf_token_from(client.get("/portal/login").get_data(as_text=True))
    return client.post("/portal/login", data={"csrf_token": token, "contact": contact,
                                              "birth_date": birth_date})


def _send_code(client, code):
    token = csrf_token_from(client.get("/portal/code").get_data(as_text=True))
    return client.post("/portal/code", data={"csrf_token": token, "code": code})


def test_sms_code_signs_the_beneficiary_in(app, client, person, sms_receiver):  # noqa: F811
    notify_config(app, sms=sms_receiver)
    response = _request_code(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/code")
    assert len(sms_receiver.requests) == 1
    code = re.search(r"\b(\d{6})\b", str(sms_receiver.requests[0]["json"])).group(1)
    signed_in = _send_code(client, code)
    assert signed_in.status_code == 302
    page = client.get("/dashboard", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Mon espace" in page.get_data(as_text=True)
    assert db.session.get(Beneficiary, person.id).user_id is not None


def test_wrong_code_says_how_many_tries_are_left(app, client, person, sms_receiver):  # noqa: F811
    notify_config(app, sms=sms_receiver)
    _request_code(client)
    response = _send_code(client, "000000" if "000000" not in str(sms_receiver.requests) else
                          "111111")
    assert response.status_code == 400
    assert "Essais restants : 4." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_unknown_person_gets_the_same_answer_and_no_message(app, client, person,
                                                           sms_receiver):  # noqa: F811
    notify_config(app, sms=sms_receiver)
    response = _request_code(client, birth_date="1990-01-01")
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/code")
    assert sms_receiver.requests == []


def test_malformed_request_is_refused(client, person):
    response = _request_code(client, birth_date="not-a-date")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
