"""Item 9 of issue 14: each time limit tested at its value with frozen time, each rule at both
sides of its boundary: the 5-year contract purge (and 29 February), web session idle time and
maximum age, lock-out, one-time codes, API tokens."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from mobility.contracts.models import RentalContract
from mobility.core.db import db
from mobility.portal import services as portal
from mobility.portal.models import CODE_TTL_S, OneTimeCode
from mobility.privacy import services as privacy
from tests.factories import (
    PASSWORD,
    api_token,
    bearer,
    create_amie_beneficiary,
    create_money_rental,
    create_platform,
    create_user,
    login,
)

T0 = datetime(2028, 2, 29, 9, 0, tzinfo=UTC)  # a 29 February


def test_years_before_handles_29_february():
    assert privacy.years_before(date(2028, 2, 29), 5) == date(2023, 2, 28)
    assert privacy.years_before(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert privacy.years_before(date(2026, 3, 1), 5) == date(2021, 3, 1)


def _contract(rental) -> RentalContract:
    contract = RentalContract(platform_id=rental.platform_id, rental_id=rental.id,
                              source_fingerprint="f" * 64, document=b"%PDF-1.4 contract",
                              sha256="0" * 64, signer_name="Léa Martin")
    db.session.add(contract)
    db.session.commit()
    return contract


def test_contract_purge_runs_on_29_february_at_its_five_year_boundary(app):
    platform = create_platform()
    person = create_amie_beneficiary(platform, pathway=False)
    # ended the day before the limit (purged) and on the limit (kept one more day)
    before = create_money_rental(platform, beneficiary=person, start=date(2023, 2, 20),
                                 days=7, status="returned")
    on_limit = create_money_rental(platform, beneficiary=person, start=date(2023, 2, 21),
                                   days=7, status="returned")
    old, kept = _contract(before).id, _contract(on_limit).id
    with time_machine.travel(T0, tick=False):
        privacy.anonymise(None, db.session.get(type(person), person.id), reason="request")
        assert privacy.purge_expired_contracts() == 1
    db.session.expire_all()
    assert db.session.get(RentalContract, old).signer_name is None
    assert db.session.get(RentalContract, kept).signer_name == "Léa Martin"
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert privacy.purge_expired_contracts() == 1
    db.session.expire_all()
    assert db.session.get(RentalContract, kept).signer_name is None


def _page(client) -> int:
    return client.get("/people/beneficiaries").status_code


def test_web_sessions_end_at_their_idle_time_and_maximum_age(app, client):
    idle, max_age = app.config["SESSION_IDLE_TIMEOUT_S"], app.config["SESSION_MAX_AGE_S"]
    user = create_user("advisor")
    with time_machine.travel(T0, tick=False) as clock:
        login(client, user)
        clock.move_to(T0 + timedelta(seconds=idle - 1))
        assert _page(client) == 200  # still live, and seen again now
        clock.move_to(T0 + timedelta(seconds=2 * idle - 2))  # idle - 1 after the last page
        assert _page(client) == 200
        clock.move_to(T0 + timedelta(seconds=3 * idle - 2))  # exactly idle after it
        assert _page(client) == 302
    other = app.test_client()
    with time_machine.travel(T0, tick=False) as clock:
        login(other, user)
        step = idle - 60
        at = T0
        while at + timedelta(seconds=step) < T0 + timedelta(seconds=max_age):
            at += timedelta(seconds=step)
            clock.move_to(at)
            assert _page(other) == 200
        clock.move_to(T0 + timedelta(seconds=max_age - 1))
        assert _page(other) == 200
        clock.move_to(T0 + timedelta(seconds=max_age + 1))
        assert _page(other) == 302  # active all along, but past the maximum age


def test_the_lock_out_lasts_its_value(app, client):
    lockout = app.config["LOGIN_LOCKOUT_S"]
    user = create_user("advisor")
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
            assert login(client, user, password="wrong-password!").status_code == 401
        assert login(client, user).status_code == 302  # one below the limit: not locked
    client.post("/logout")
    user2 = create_user("advisor")
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            login(client, user2, password="wrong-password!")
        clock.move_to(T0 + timedelta(seconds=lockout - 1))
        assert login(app.test_client(), user2).status_code == 401
        clock.move_to(T0 + timedelta(seconds=lockout))  # the lock-out is over at its value
        assert login(app.test_client(), user2).status_code == 302


def test_one_time_codes_live_their_ttl(app):
    create_amie_beneficiary(phone="06 12 34 56 78", birth_date=date(1994, 3, 2))
    for offset, works in ((CODE_TTL_S - 1, True), (CODE_TTL_S, False)):  # dead at its TTL
        sent = []
        with time_machine.travel(T0, tick=False) as clock:
            challenge = portal.request_code(
                "0612345678", date(1994, 3, 2),
                send=lambda b, code, channel, sent=sent: sent.append(code))
            clock.move_to(T0 + timedelta(seconds=offset))
            if works:
                assert portal.verify_code(challenge, sent[0]).role == "beneficiary"
            else:
                with pytest.raises(portal.CodeExpired):
                    portal.verify_code(challenge, sent[0])
    assert db.session.scalar(select(OneTimeCode).where(OneTimeCode.used_at.is_(None)))


def test_api_tokens_live_their_ttl(app, client):
    ttl = app.config["API_TOKEN_TTL_S"]
    user = create_user("advisor")
    with time_machine.travel(T0, tick=False) as clock:
        token = api_token(client, user, password=PASSWORD)
        clock.move_to(T0 + timedelta(seconds=ttl - 1))
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        clock.move_to(T0 + timedelta(seconds=ttl))  # dead at its TTL
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def _documented_defaults() -> dict[str, int]:
    """The defaults the README's settings table states, for the time limits."""
    text = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    return {name: int(value) for name, value in re.findall(r"^\| `(\w+)` \| `(\d+)` \|", text,
                                                         re.MULTILINE)}


def test_the_time_limits_are_the_documented_ones(sqlite_url, monkeypatch):
    """The tests above read the limits from the configuration, so they hold whatever the values
    are: here the values a fresh installation gets are pinned to what the README promises."""
    from mobility import create_app

    documented = _documented_defaults()
    names = ("SESSION_IDLE_TIMEOUT_S", "SESSION_MAX_AGE_S", "API_TOKEN_TTL_S",
             "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_S")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": "x" * 32})
    assert {n: app.config[n] for n in names} == {n: documented[n] for n in names}
    assert documented["SESSION_IDLE_TIMEOUT_S"] < documented["SESSION_MAX_AGE_S"]
    assert CODE_TTL_S == 10 * 60  # "valid 10 minutes", as the code's message tells the person


#: 22:30 UTC on 30 June is 00:30 on 1 July in Paris (summer time): the platform's day is 1 July
PARIS_NIGHT = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)


def test_the_day_is_the_paris_day_at_night(app):
    """Between 22:00 (summer) or 23:00 (winter) UTC and midnight the machine's date is the day
    before the platform's: the default report period and the published offer's date follow
    Paris, not the machine."""
    from mobility.partners import datainclusion
    from mobility.reports.services import default_period

    with time_machine.travel(PARIS_NIGHT, tick=False):
        assert default_period().end == date(2026, 7, 1)
        structure = datainclusion.structure_of(create_platform())
        assert structure.updated_on == date(2026, 7, 1)
    with time_machine.travel(PARIS_NIGHT - timedelta(hours=1), tick=False):  # 23:30 in Paris
        assert default_period().end == date(2026, 6, 30)
