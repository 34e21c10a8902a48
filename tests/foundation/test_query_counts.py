"""List pages run a fixed number of queries, whatever the number of rows (no N+1).

Each page is opened with 20 rows and with 200 rows; the query count must not grow.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from mobility.audit.services import record_audit
from mobility.core.db import db
from tests.factories import (
    create_amie_beneficiary,
    create_referral,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
    login,
)


@contextmanager
def counted_queries():
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _grow(kind, platform, n):
    from mobility.core.dates import local_today

    if kind == "beneficiaries":
        for _ in range(n):
            create_amie_beneficiary(platform)
    elif kind == "referrals":
        for _ in range(n):
            create_referral(platform)
    elif kind in ("vehicles", "rentals", "returns"):
        site = create_site(platform)
        for i in range(n):
            vehicle = create_vehicle(site, kind="bike", plate=f"V-{kind}-{i}-{n}")
            if kind != "vehicles":
                start = local_today() - timedelta(days=10)
                create_rental(vehicle, create_amie_beneficiary(platform, pathway=False),
                              start_date=start, end_date=local_today() + timedelta(days=i % 5),
                              status="in_progress")
    elif kind == "outbox":
        from mobility.notifications.outbox import enqueue_notification

        for i in range(n):
            person = create_amie_beneficiary(platform, pathway=False)
            enqueue_notification(kind="portal_code", key=f"qc:{n}:{i}:{person.id}",
                                 recipient=person, context={"code": "123456", "link": None},
                                 about=("beneficiary", person.id))
        db.session.commit()
    elif kind == "maintenance":
        from fleet.models import MaintenanceJob

        site = create_site(platform)
        for i in range(n):
            vehicle = create_vehicle(site, kind="car", plate=f"M-{i}-{n}",
                                     status="immobilised" if i % 4 == 0 else "available")
            db.session.add(MaintenanceJob(platform_id=platform.id, vehicle_id=vehicle.id,
                                          kind="repair", description=f"Job {i}",
                                          due_on=local_today() + timedelta(days=i % 10)))
            if i % 4 == 0:  # an immobilised car whose booking needs a replacement
                create_rental(vehicle, create_amie_beneficiary(platform, pathway=False),
                              start_date=local_today(), end_date=local_today() + timedelta(days=7))
        db.session.commit()
    elif kind == "audit":
        actor = create_user("advisor", platform=platform)
        for i in range(n):
            record_audit(actor, "view", object_type="Beneficiary", object_id=i)
        db.session.commit()


PAGES = [
    ("beneficiaries", "advisor", "/people/beneficiaries"),
    ("referrals", "advisor", "/people/referrals"),
    ("vehicles", "fleet_manager", "/fleet/vehicles"),
    ("rentals", "advisor", "/fleet/rentals"),
    ("returns", "fleet_manager", "/fleet/returns"),
    ("audit", "admin", "/admin/audit"),
    ("outbox", "admin", "/notifications/outbox"),
    ("maintenance", "fleet_manager", "/fleet/maintenance"),
    ("rentals", "advisor", "/dashboard"),
    ("rentals", "admin", "/dashboard"),
    ("maintenance", "fleet_manager", "/dashboard"),
    ("returns", "fleet_manager", "/dashboard"),
    ("rentals", "advisor", "/payments/rentals"),
]


@pytest.mark.slow
@pytest.mark.parametrize("kind,role,path", PAGES)
def test_list_pages_do_not_query_per_row(sqlite_app, kind, role, path):
    user = create_user(role)
    platform = user.platform
    client = sqlite_app.test_client()
    login(client, user)
    counts = []
    for target in (20, 200):
        _grow(kind, platform, target - (counts and 20 or 0))
        client.get(path)  # warm caches (settings rows, translations)
        with counted_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], f"{path}: {counts[0]} queries for 20 rows, {counts[1]} for 200"


API_LISTS = [
    ("vehicles", "fleet_manager", "/api/v1/vehicles"),
    ("returns", "fleet_manager", "/api/v1/returns"),
    ("beneficiaries", "advisor", "/api/v1/beneficiaries"),
    ("referrals", "advisor", "/api/v1/referrals"),
]


@pytest.mark.parametrize("kind,role,path", API_LISTS)
def test_api_lists_do_not_query_per_row(sqlite_app, kind, role, path):
    from tests.factories import api_token, bearer

    user = create_user(role)
    client = sqlite_app.test_client()
    headers = bearer(api_token(client, user))
    path += "?limit=200"  # the largest page: every row on one page
    counts = []
    for target in (20, 200):
        _grow(kind, user.platform, target - (counts and 20 or 0))
        client.get(path, headers=headers)
        with counted_queries() as counter:
            response = client.get(path, headers=headers)
        assert response.status_code == 200 and len(response.get_json()) == target
        counts.append(counter["n"])
    assert counts[0] == counts[1], f"{path}: {counts[0]} queries for 20 rows, {counts[1]} for 200"


def _ended_rentals(person, site, n: int, offset: int) -> None:
    """`n` ended rentals of the person (returned, closed, cancelled in turn), each priced, with
    a payment, a deposit and a signed contract: what years of rentals leave on a file."""
    from mobility.contracts.services import ensure_contract
    from mobility.core.columns import utcnow
    from mobility.core.dates import local_today
    from mobility.payments.models import Deposit, Payment
    from mobility.pricing.services import ensure_terms

    for i in range(offset, offset + n):
        start = local_today() - timedelta(days=60 + 20 * i)
        rental = create_rental(create_vehicle(site, kind="car" if i % 2 else "bike",
                                              plate=f"F-{i}"), person,
                               start_date=start, end_date=start + timedelta(days=14),
                               status=("returned", "closed", "cancelled")[i % 3])
        ensure_terms(rental, scheme="amie" if i % 2 else "bougez")
        ensure_contract(rental).signed_at = utcnow()
        db.session.add(Payment(platform_id=person.platform_id, rental_id=rental.id,
                               amount_cents=1500, method="cash", status="succeeded"))
        db.session.add(Deposit(platform_id=person.platform_id, rental_id=rental.id,
                               amount_cents=5000, method="cheque", status="released"))
    db.session.commit()


def test_the_persons_file_does_not_query_per_rental(sqlite_app):
    """The file lists the person's rentals with their contract, deposit and money: the same
    number of queries for 2 rentals as for 12 (beside one booked and one out)."""
    from mobility.core.dates import local_today
    from mobility.rentals.summary import rentals_of_person
    from tests.factories import create_beneficiary

    advisor = create_user("advisor")
    platform = advisor.platform
    person = create_beneficiary(platform, ready=True)
    site = create_site(platform)
    create_rental(create_vehicle(site, kind="bike", plate="F-booked"), person,
                  start_date=local_today() + timedelta(days=3))
    create_rental(create_vehicle(site, kind="bike", plate="F-out"), person,
                  start_date=local_today() - timedelta(days=3), status="in_progress")
    client = sqlite_app.test_client()
    login(client, advisor)
    counts = []
    for offset, n in ((0, 2), (2, 10)):
        _ended_rentals(person, site, n, offset)
        client.get(f"/people/beneficiaries/{person.id}")
        with counted_queries() as counter:
            response = client.get(f"/people/beneficiaries/{person.id}")
        assert response.status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], f"{counts[0]} queries for 4 rentals, {counts[1]} for 14"
    lines = rentals_of_person(person)
    assert len(lines) == 14 and all(line.contract_signed for line in lines[2:])
