"""Keyset pagination (mobility.pagination): a stable order across pages, filters kept in the
links, no duplicate or gap when rows are added between two pages, a bad cursor refused (400,
French and English), and never a row of another platform."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from fleet.models import Rental, Vehicle
from mobility.auth.policies import scoped
from mobility.core.db import db, id_in
from mobility.pagination import decode_cursor, encode_cursor, paginate
from tests.factories import (
    api_token,
    bearer,
    create_amie_beneficiary,
    create_referral,
    create_rental,
    create_site,
    create_user,
    create_vehicle,
    login,
)


def _next_link(response) -> str | None:
    header = response.headers.get("Link") or ""
    for part in header.split(","):
        if 'rel="next"' in part:
            return part.split(";")[0].strip().strip("<>")
    return None


def _walk(client, url, headers) -> list[list[dict]]:
    pages = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        pages.append(response.get_json())
        url = _next_link(response)
    return pages


def test_api_pages_cover_every_row_once_in_order(client):
    user = create_user("fleet_manager")
    site = create_site(user.platform)
    # equal plates (case aside) and many rows: the id breaks ties
    for i in range(23):
        create_vehicle(site, kind="bike", plate=f"AB-{i % 7:03d}")
    headers = bearer(api_token(client, user))
    pages = _walk(client, "/api/v1/vehicles?limit=5", headers)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    seen = [(v["plate"], v["id"]) for page in pages for v in page]
    assert seen == sorted(seen) and len(set(seen)) == 23


def test_prev_link_gives_back_the_same_page(client):
    user = create_user("fleet_manager")
    site = create_site(user.platform)
    for i in range(12):
        create_vehicle(site, kind="bike", plate=f"P-{i:02d}")
    headers = bearer(api_token(client, user))
    first = client.get("/api/v1/vehicles?limit=5", headers=headers)
    assert 'rel="prev"' not in (first.headers.get("Link") or "")
    second = client.get(_next_link(first), headers=headers)
    prev = [p for p in second.headers["Link"].split(",") if 'rel="prev"' in p][0]
    back = client.get(prev.split(";")[0].strip().strip("<>"), headers=headers)
    assert [v["id"] for v in back.get_json()] == [v["id"] for v in first.get_json()]
    assert _next_link(back) == _next_link(first)


def test_rows_added_between_pages_neither_repeat_nor_hide_others(client):
    user = create_user("fleet_manager")
    site = create_site(user.platform)
    for i in range(10):
        create_vehicle(site, kind="bike", plate=f"M-{i * 2:02d}")  # M-00, M-02 ... M-18
    headers = bearer(api_token(client, user))
    first = client.get("/api/v1/vehicles?limit=4", headers=headers)
    assert [v["plate"] for v in first.get_json()] == ["M-00", "M-02", "M-04", "M-06"]
    # one row before the cursor (already passed), one after it
    create_vehicle(site, kind="bike", plate="M-01")
    create_vehicle(site, kind="bike", plate="M-09")
    rest = _walk(client, _next_link(first), headers)
    plates = [v["plate"] for page in rest for v in page]
    assert plates == ["M-08", "M-09", "M-10", "M-12", "M-14", "M-16", "M-18"]


def test_api_filters_are_kept_in_the_links(client):
    user = create_user("fleet_manager")
    site, other_site = create_site(user.platform), create_site(user.platform)
    for i in range(7):
        create_vehicle(site, kind="bike", plate=f"F-{i}")
        create_vehicle(site, kind="car", plate=f"G-{i}")
        create_vehicle(other_site, kind="bike", plate=f"H-{i}")
    headers = bearer(api_token(client, user))
    first = client.get(f"/api/v1/vehicles?kind=bike&site_id={site.id}&limit=3", headers=headers)
    link = _next_link(first)
    query = parse_qs(urlparse(link).query)
    assert query["kind"] == ["bike"] and query["site_id"] == [str(site.id)]
    assert query["limit"] == ["3"]
    rows = [v for page in _walk(client, link, headers) for v in page] + first.get_json()
    assert len(rows) == 7 and {v["kind"] for v in rows} == {"bike"}
    assert {v["site_id"] for v in rows} == {site.id}


@pytest.mark.parametrize("cursor", ["nonsense", "eyJrIjpbMV19", "e30", "%%%", "x" * 600,
                                    encode_cursor(["a", "b", "c", 1])])
def test_a_bad_cursor_is_a_400_in_french_and_english(client, cursor):
    user = create_user("fleet_manager")
    create_vehicle(create_site(user.platform))
    headers = bearer(api_token(client, user))
    response = client.get("/api/v1/vehicles", query_string={"cursor": cursor}, headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "cursor" in error["details"]
    assert error["messages"]["fr"] != error["messages"]["en"]


def test_a_bad_cursor_on_a_page_is_a_400(client):
    user = create_user("advisor")
    login(client, user)
    assert client.get("/fleet/rentals", query_string={"cursor": "garbage"}).status_code == 400
    assert client.get("/fleet/rentals").status_code == 200


def test_limit_is_bounded(client):
    user = create_user("fleet_manager")
    headers = bearer(api_token(client, user))
    assert client.get("/api/v1/vehicles?limit=0", headers=headers).status_code == 400
    assert client.get("/api/v1/vehicles?limit=201", headers=headers).status_code == 400
    assert client.get("/api/v1/vehicles?limit=200", headers=headers).status_code == 200


def test_pages_never_cross_platforms(client):
    mine = create_user("fleet_manager")
    theirs = create_user("fleet_manager")  # another platform
    for i in range(6):
        create_vehicle(create_site(mine.platform), plate=f"MINE-{i}")
        create_vehicle(create_site(theirs.platform), plate=f"MINE-{i}b")
    headers = bearer(api_token(client, mine))
    first = client.get("/api/v1/vehicles?limit=2", headers=headers)
    rows = [v for page in _walk(client, _next_link(first), headers) for v in page]
    rows += first.get_json()
    assert sorted(v["plate"] for v in rows) == [f"MINE-{i}" for i in range(6)]
    # the other platform's user replaying my cursor sees only their own rows
    other = bearer(api_token(client, theirs))
    replay = client.get(_next_link(first), headers=other)
    assert replay.status_code == 200
    assert all(v["plate"].endswith("b") for v in replay.get_json())


def test_a_prescriber_pages_through_their_organisation_only(client):
    from tests.factories import create_organisation

    prescriber = create_user("prescriber")
    platform = prescriber.platform
    other_org = create_organisation(platform)
    from mobility.organisations.models import PartnerOrganisation

    mine = db.session.get(PartnerOrganisation, prescriber.organisation_id)
    for _ in range(5):
        create_referral(platform, mine)
        create_referral(platform, other_org)
    headers = bearer(api_token(client, prescriber))
    pages = _walk(client, "/api/v1/referrals?limit=2", headers)
    rows = [r for page in pages for r in page]
    assert len(rows) == 5 and {r["organisation_id"] for r in rows} == {mine.id}


def test_rental_pages_keep_their_filters(client):
    from mobility.core.dates import local_today

    advisor = create_user("advisor")
    platform = advisor.platform
    site, other = create_site(platform), create_site(platform)
    person = create_amie_beneficiary(platform, pathway=False)
    start = local_today() - timedelta(days=400)
    for i in range(104):  # history on two sites, several rentals starting the same day
        vehicle = create_vehicle(site if i % 2 else other, kind="bike", plate=f"R-{i}")
        create_rental(vehicle, person, start_date=start + timedelta(days=i // 3),
                      end_date=start + timedelta(days=i // 3 + 2), status="returned")
    login(client, advisor)
    page = client.get(f"/fleet/rentals?status=returned&site_id={site.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'rel="next"' in html
    href = html.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlparse(href).query)
    assert query["status"] == ["returned"] and query["site_id"] == [str(site.id)]
    assert "cursor" in query
    # the open list (the default) shows none of that history
    assert "R-1 " not in client.get("/fleet/rentals").get_data(as_text=True)


def test_paginate_descending_with_ties_forward_and_back(app):
    from mobility.core.dates import local_today

    user = create_user("advisor")
    site = create_site(user.platform)
    person = create_amie_beneficiary(user.platform, pathway=False)
    day = local_today() - timedelta(days=100)
    for i in range(17):
        create_rental(create_vehicle(site, plate=f"T-{i}"), person,
                      start_date=day + timedelta(days=i // 4),
                      end_date=day + timedelta(days=i // 4 + 1), status="returned")
    query = scoped(Rental, user)
    keys = (Rental.start_date, Rental.id)
    expected = [r.id for r in db.session.scalars(
        select(Rental).order_by(Rental.start_date.desc(), Rental.id.desc()))]
    pages, cursor = [], None
    while True:
        page = paginate(query, keys, cursor=cursor, limit=5, descending=True)
        pages.append(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [r.id for p in pages for r in p] == expected
    back = paginate(query, keys, cursor=pages[-1].prev_cursor, limit=5, descending=True)
    assert [r.id for r in back] == [r.id for r in pages[-2]]
    assert paginate(query, keys, cursor=pages[1].prev_cursor, limit=5,
                    descending=True).prev_cursor is None


def test_cursor_round_trip_keeps_types():
    from datetime import UTC, date, datetime

    values = [date(2026, 3, 1), datetime(2026, 3, 1, 8, 30, tzinfo=UTC), "Dupont", 42]
    assert decode_cursor(encode_cursor(values), 4) == (values, False)
    assert decode_cursor(encode_cursor(values, before=True), 4) == (values, True)


def test_stage_filter_in_sql_agrees_with_stage_of(app):
    from mobility.people.services import STAGES, beneficiaries_query, stage_of
    from tests.factories import open_pathway

    user = create_user("advisor")
    platform = user.platform
    create_amie_beneficiary(platform, pathway=False)  # no pathway
    create_amie_beneficiary(platform)  # accepted, not assessed
    open_pathway(create_amie_beneficiary(platform, pathway=False), assessed=True)
    exited = create_amie_beneficiary(platform)
    exited.pathways[0].status = "exited"
    db.session.commit()
    people = db.session.scalars(beneficiaries_query(user)).all()
    assert {stage_of(b) for b in people} == set(STAGES)
    for stage in STAGES:
        in_sql = {b.id for b in db.session.scalars(beneficiaries_query(user, stage=stage))}
        assert in_sql == {b.id for b in people if stage_of(b) == stage}, stage


@pytest.mark.parametrize("n", [3, 700])
def test_id_in_with_many_ids(app, n):
    user = create_user("fleet_manager")
    site = create_site(user.platform)
    vehicles = [create_vehicle(site, plate=f"I-{i}") for i in range(3)]
    ids = [v.id for v in vehicles[:2]] + list(range(10**6, 10**6 + n))
    found = db.session.scalars(select(Vehicle.id).where(id_in(Vehicle.id, ids))).all()
    assert sorted(found) == sorted(v.id for v in vehicles[:2])
