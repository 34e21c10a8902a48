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
