"""Item 9 of issue 14: every URL rule, every method, for every role, with the ids of another
platform's records: no answer is a 5xx, no page of another platform's record is shown, and
nothing of the other platform changes (its rows compared before and after, column by column).

The signed-in user's platform holds no record at all, so any record an id finds is the other
platform's. Forms are sent with a valid CSRF token (and the API with a bearer token) so that
every request reaches its handler's access check. The other side (the role's own records answer
200 where the role is declared, 403 elsewhere) is `test_access_own.py`.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mobility.core.db import db
from mobility.core.roles import ROLES
from tests.factories import (
    api_token,
    bearer,
    create_money_rental,
    create_platform,
    create_user,
    csrf_token_from,
    login,
)
from tests.rentals.world import make_world

#: tables whose rows a refused request may still add (the access log, sessions, tokens...)
NOISY = {"audit_events", "user_sessions", "api_tokens", "idempotency_records", "users",
         "scheduler_job_runs", "notification_outbox"}
#: 503 on purpose: an optional service this installation has not set up (Stripe)
NOT_SET_UP = {"stripe_not_configured", "not_configured"}
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _other_platform(client) -> None:
    from mobility.partners import datainclusion

    world = make_world(client)
    person, vehicle = world.person(), world.vehicle()
    world.booked(person, vehicle)
    create_money_rental(world.platform)
    # the published offer is made on first view: made here, ids 1 and 2 are the other's
    datainclusion.structure_of(world.platform)
    datainclusion.services_of(world.platform)
    db.session.commit()


def _snapshot(mine: int) -> dict[str, list[tuple]]:
    """Every row not of the user's own platform (what they may change there is not checked)."""
    db.session.commit()
    out = {}
    for name, table in db.metadata.tables.items():
        if name in NOISY or "id" not in table.c:
            continue
        columns = [c for c in table.columns if c.name != "document"]
        query = select(*columns).order_by(table.c.id)
        if "platform_id" in table.c:
            query = query.where(table.c.platform_id.is_distinct_from(mine))
        out[name] = [tuple(r) for r in db.session.execute(query).all()]
    db.session.commit()
    return out


def _urls(app) -> list[tuple[str, str, str]]:
    """(rule, method, url) for every rule, ids 1 and 2 (the other platform's first records)."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        for value in ("1", "2"):
            def fill(match, value=value):
                converter = match.group(1) or "default"
                return value if converter == "int" else "x"
            url = ARGUMENT.sub(fill, rule.rule)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                out.append((rule.rule, method, url))
    return out


@pytest.mark.parametrize("role", sorted(ROLES))
def test_another_platforms_records_stay_out_of_reach(app, client, role):
    _other_platform(client)
    mine = create_platform()
    user = create_user(role, platform=mine)
    before = _snapshot(mine.id)
    login(client, user)
    csrf = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    token = api_token(app.test_client(), user)
    problems = []
    for rule, method, url in _urls(app):
        if url.startswith("/api/"):
            response = client.open(url, method=method, headers=bearer(token),
                                   json={} if method != "GET" else None)
        else:
            response = client.open(url, method=method,
                                   data={"csrf_token": csrf} if method != "GET" else None)
        status = response.status_code
        payload = response.get_json(silent=True) if response.is_json else None
        code = (payload.get("error") or {}).get("code") if isinstance(payload, dict) else None
        if status >= 500 and not (status == 503 and code in NOT_SET_UP):
            problems.append((method, url, status, code))
        elif (method == "GET" and status == 200 and re.search(r"<int:\w*_id>", rule)
              and "/api/v1/openapi" not in url):
            problems.append((method, url, status, "another platform's record shown"))
        if rule == "/logout" and method == "POST":
            login(client, user)
            csrf = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    assert problems == []
    assert _snapshot(mine.id) == before
