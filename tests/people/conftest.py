"""Fixtures of the people tests."""

import pytest


@pytest.fixture
def request_ctx(sqlite_app):
    """A request context (French), for rules that render their reasons."""
    with sqlite_app.test_request_context(headers={"Accept-Language": "fr"}):
        yield sqlite_app


@pytest.fixture
def people(app):
    """A platform with an organisation, and a signed API token for each role."""
    from tests.factories import api_token, create_organisation, create_platform, create_user

    platform = create_platform()
    organisation = create_organisation(platform, name="Mission locale Menton")
    users = {
        "admin": create_user("admin", platform),
        "advisor": create_user("advisor", platform),
        "fleet_manager": create_user("fleet_manager", platform),
        "prescriber": create_user("prescriber", platform, organisation_id=organisation.id),
        "beneficiary": create_user("beneficiary", platform),
    }
    client = app.test_client()

    class People:
        pass

    ctx = People()
    ctx.platform, ctx.organisation, ctx.users, ctx.client = platform, organisation, users, client
    ctx._tokens = {}

    def headers(role):
        if role not in ctx._tokens:
            ctx._tokens[role] = api_token(client, users[role])
        return {"Authorization": f"Bearer {ctx._tokens[role]}"}

    ctx.headers = headers
    return ctx
