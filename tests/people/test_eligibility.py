"""Eligibility rules: each AMIE criterion, Bougez, and the written override."""

from datetime import date

import pytest

from mobility.core.dates import add_months
from mobility.people.eligibility import EligibilityFacts, evaluate

TODAY = date(2026, 6, 15)


def amie_facts(**overrides) -> EligibilityFacts:
    values = dict(birth_date=date(1990, 1, 1), has_licence_b=True,
                  licence_b_since=date(2020, 1, 1), employment_kind="job",
                  contract_type="fixed_term", contract_start=date(2026, 6, 1),
                  contract_end=date(2026, 12, 1), followed=True, obstacles=["no_vehicle"],
                  amie_months_used=0)
    values.update(overrides)
    return EligibilityFacts(**values)


def failed(result):
    return {r["criterion"]: r["failure"] for r in result["reasons"] if not r["met"]}


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


def test_amie_eligible_when_every_criterion_is_met(request_ctx):
    result = evaluate("amie", amie_facts(), today=TODAY)
    assert result["eligible"] is True and result["by_rules"] is True
    assert [r["criterion"] for r in result["reasons"]] == [
        "followed", "min_age", "licence", "contract", "rental_left"]
    assert all(r["met"] for r in result["reasons"])


@pytest.mark.parametrize("overrides, criterion, failure", [
    ({"followed": False}, "followed", "followed"),
    ({"birth_date": date(2008, 6, 16)}, "min_age", "too_young"),
    ({"birth_date": None}, "min_age", "birth_date_missing"),
    ({"has_licence_b": False, "licence_b_since": None}, "licence", "no_licence"),
    ({"licence_b_since": None}, "licence", "licence_date_missing"),
    ({"licence_b_since": date(2025, 6, 15)}, "licence", "licence_too_recent"),
    ({"employment_kind": "job_search"}, "contract", "no_contract"),
    ({"contract_start": None}, "contract", "no_contract"),
    ({"contract_end": None}, "contract", "contract_end_missing"),
    ({"contract_end": date(2026, 7, 1)}, "contract", "contract_too_short"),
    ({"amie_months_used": 5}, "rental_left", "rental_used_up"),
])
def test_each_amie_criterion_fails_with_its_reason(request_ctx, overrides, criterion, failure):
    result = evaluate("amie", amie_facts(**overrides), today=TODAY)
    assert result["eligible"] is False
    assert failed(result) == {criterion: failure}
    message = next(r["message"] for r in result["reasons"] if r["criterion"] == criterion)
    assert message  # a readable reason, in the current language


def test_amie_boundaries(request_ctx):
    # exactly 18 today: old enough
    assert failed(evaluate("amie", amie_facts(birth_date=date(2008, 6, 15)), today=TODAY)) == {}
    # licence held one year and one day: more than one year
    assert failed(evaluate("amie", amie_facts(licence_b_since=date(2025, 6, 14)),
                           today=TODAY)) == {}
    # a contract of one month and a day: more than one month
    assert failed(evaluate("amie", amie_facts(contract_end=date(2026, 7, 2)), today=TODAY)) == {}
    # a permanent contract has no end date
    assert failed(evaluate("amie", amie_facts(contract_type="permanent", contract_end=None),
                           today=TODAY)) == {}
    # four months of the plan used: a fifth is allowed
    assert failed(evaluate("amie", amie_facts(amie_months_used=4), today=TODAY)) == {}


def test_amie_numbers_come_from_the_platform_settings(request_ctx):
    facts = amie_facts(amie_months_used=5)
    assert evaluate("amie", facts, today=TODAY)["eligible"] is False
    config = {"amie": {"max_rental_months": 6}}
    assert evaluate("amie", facts, today=TODAY, config=config)["eligible"] is True


def test_override_admits_but_keeps_the_rules_answer(request_ctx):
    override = {"justification": "Contrat de 3 semaines renouvelable, employeur confirmé."}
    result = evaluate("amie", amie_facts(contract_end=date(2026, 6, 20)), today=TODAY,
                      override=override)
    assert result["eligible"] is True
    assert result["by_rules"] is False
    assert result["override"] == override
    assert failed(result) == {"contract": "contract_too_short"}


def test_bougez_needs_insertion_and_an_obstacle(request_ctx):
    assert evaluate("bougez", amie_facts(), today=TODAY)["eligible"] is True
    no_obstacle = evaluate("bougez", amie_facts(obstacles=[]), today=TODAY)
    assert failed(no_obstacle) == {"obstacle": "no_obstacle"}
    not_followed = evaluate("bougez", amie_facts(followed=False), today=TODAY)
    assert failed(not_followed) == {"followed": "followed"}


def test_a_scoped_override_lifts_only_the_criteria_it_names(request_ctx):
    facts = amie_facts(contract_end=date(2026, 6, 20), followed=False)
    lifts_contract = {"justification": "Contrat de 3 semaines renouvelable.",
                      "criteria": ["contract"]}
    partly = evaluate("amie", facts, today=TODAY, override=lifts_contract)
    assert partly["eligible"] is False
    assert [r["criterion"] for r in partly["reasons"] if r["overridden"]] == ["contract"]
    both = evaluate("amie", facts, today=TODAY,
                    override={**lifts_contract, "criteria": ["contract", "followed"]})
    assert both["eligible"] is True and both["by_rules"] is False
