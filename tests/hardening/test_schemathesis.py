"""The API against its own OpenAPI document (schemathesis): for every operation a bounded
number of generated requests, sent with an advisor's token; no answer is a 5xx and every
answer matches the document (status code, content type, body schema).

Part of `bin/test` (it runs the whole suite; nothing skips it: without schemathesis the file
fails to import). Its time is bounded by the document: `EXAMPLES_PER_OPERATION` examples for
each operation, no shrinking, derandomised (about a minute for both databases on 2 cores).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from mobility.core.db import db
from tests.factories import api_token, create_money_rental, create_user

EXAMPLES_PER_OPERATION = 4
#: "a schema-valid request must be accepted": our domain rules (a period's end after its start,
#: a date within a sane range, a rental of the platform...) refuse with a 4xx what JSON Schema
#: cannot express; every other check runs (no 5xx, status codes, content types, bodies)
DOMAIN_CHECKS = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture
def advisor_token(app):
    advisor = create_user("advisor")
    create_money_rental(advisor.platform)  # ids 1.. exist: some requests reach the handlers
    token = api_token(app.test_client(), advisor)
    db.session.commit()
    db.session.remove()
    return token


def test_the_api_keeps_its_document(app, advisor_token):
    # schemathesis' pytest plugin does not run under pytest 9 yet: one hypothesis test per
    # operation, run here, failures collected
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {advisor_token}"}
    failures = {}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        tried += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, excluded_checks=DOMAIN_CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # collected, reported below
            failures[operation.label] = f"{type(failure).__name__}: {failure}"[:1500]
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
    # every operation of the document was tried (an empty or unreadable document would
    # otherwise pass having checked nothing)
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    methods = {"get", "post", "put", "patch", "delete"}
    assert tried == sum(len(methods & set(item)) for item in document["paths"].values()) > 40
