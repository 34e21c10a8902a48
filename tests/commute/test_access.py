"""Who may run and read commute checks: advisors and admins of the platform; a beneficiary
reads their own; prescribers and fleet managers may not; other platforms see nothing."""

from __future__ import annotations

import pytest

from tests.factories import api_token, bearer, create_platform, create_user, login

from .helpers import BEAUSOLEIL_HOME, MONACO_WORK, create_commute_check, create_commuter, point


@pytest.fixture
def setup(app):
    platform = create_platform()
    advisor = create_user("advisor", platform)
    owner = create_user("beneficiary", platform)
    person = create_commuter(platform, user_id=owner.id)
    check = create_commute_check(platform, advisor, beneficiary=person, modes=["car"])
    return platform, person, check


@pytest.mark.parametrize(("role", "same_platform", "post", "get"), [
    ("advisor", True, 201, 200),
    ("admin", True, 201, 200),
    ("prescriber", True, 403, 403),
    ("fleet_manager", True, 403, 403),
    ("beneficiary", True, 403, 403),  # not the owner
    ("advisor", False, 404, 404),
    ("admin", False, 404, 404),
])
def test_api_access(client, setup, role, same_platform, post, get):
    platform, person, check = setup
    user = create_user(role, platform if same_platform else create_platform())
    headers = bearer(api_token(client, user))
    response = client.post(f"/api/v1/beneficiaries/{person.id}/commute-check", headers=headers,
                           json={"modes": ["car"]})
    assert response.status_code == post
    assert client.get(f"/api/v1/commute-checks/{check.id}", headers=headers).status_code == get
    listed = client.get(f"/api/v1/beneficiaries/{person.id}/commute-checks", headers=headers)
    assert listed.status_code == get


def test_beneficiary_reads_own_checks(client, setup):
    platform, person, check = setup
    headers = bearer(api_token(client, person.user))
    assert client.get(f"/api/v1/commute-checks/{check.id}", headers=headers).status_code == 200
    listed = client.get(f"/api/v1/beneficiaries/{person.id}/commute-checks", headers=headers)
    assert [c["id"] for c in listed.get_json()] == [check.id]
    response = client.post(f"/api/v1/beneficiaries/{person.id}/commute-check", headers=headers)
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["prescriber", "fleet_manager", "beneficiary"])
def test_standalone_api_refused_to_other_roles(client, app, role):
    user = create_user(role, create_platform())
    response = client.post("/api/v1/commute-checks", headers=bearer(api_token(client, user)),
                           json={"origin": point(BEAUSOLEIL_HOME),
                                 "destination": point(MONACO_WORK)})
    assert response.status_code == 403


def test_other_platforms_file_through_standalone_api(client, setup):
    _, person, _ = setup
    other = create_user("advisor", create_platform())
    response = client.post("/api/v1/commute-checks", headers=bearer(api_token(client, other)),
                           json={"origin": point(BEAUSOLEIL_HOME),
                                 "destination": point(MONACO_WORK), "beneficiary_id": person.id})
    assert response.status_code == 404


@pytest.mark.parametrize(("role", "same_platform", "status"), [
    ("advisor", True, 200), ("prescriber", True, 403), ("fleet_manager", True, 403),
    ("beneficiary", True, 403), ("advisor", False, 404),
])
def test_page_access(client, setup, role, same_platform, status):
    platform, person, check = setup
    user = create_user(role, platform if same_platform else create_platform())
    login(client, user)
    assert client.get(f"/commute/beneficiaries/{person.id}").status_code == status
    standalone = client.get("/commute/check").status_code
    assert standalone == (200 if role == "advisor" else 403)


def test_check_of_another_file_in_the_url(client, setup):
    platform, person, check = setup
    advisor = create_user("advisor", platform)
    other = create_commuter(platform)
    login(client, advisor)
    response = client.get(f"/commute/beneficiaries/{other.id}?check={check.id}")
    assert response.status_code == 404
