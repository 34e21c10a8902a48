"""The assessment grid, its scoring and the recommended ladder (pure functions)."""

import pytest

from mobility.people import grid
from tests.people.factories import GOOD_ANSWERS, LOW_ANSWERS


def statuses(ladder):
    return {level["level"]: level["status"] for level in ladder}


def reasons(ladder, level):
    return next(item["reasons"] for item in ladder if item["level"] == level)


def test_every_question_has_answers_valued_between_0_and_1():
    for question in grid.QUESTIONS.values():
        assert question.answers
        assert all(0 <= value <= 1 for _code, _label, value in question.answers)
    assert set(grid.DEFAULT_SCORING["weights"]) == {s.key for s in grid.GRID}


def test_sub_scores_are_the_mean_of_the_answer_values():
    answers = {**GOOD_ANSWERS, "reads_map": "with_help", "reads_timetable": "no"}
    scores = grid.sub_scores(answers)
    # urban: (0.5 + 0 + 1 + 1) / 4
    assert scores["urban"] == 62
    assert scores["psychomotor"] == 100
    # multiple choice: walk 0.2 + bus 0.4 + train 0.4 = 1.0 (capped at 1)
    assert scores["travel_practices"] == round(100 * (1.0 + 1.0 + 0.7) / 3)


def test_mobility_potential_is_the_weighted_mean():
    scores = {"a": 100, "b": 0}
    assert grid.mobility_potential(scores, {"a": 3, "b": 1}) == 75
    assert grid.mobility_potential(scores, {"a": 0, "b": 0}) == 0


def test_potential_uses_platform_weights():
    default = grid.score_assessment(LOW_ANSWERS, grid.merged_scoring(None))
    heavy_psychomotor = grid.merged_scoring({"weights": {"psychomotor": 100}})
    changed = grid.score_assessment(LOW_ANSWERS, heavy_psychomotor)
    assert changed["mobility_potential"] > default["mobility_potential"]
    assert 0 <= default["mobility_potential"] <= 100


def test_good_mobility_scores_higher_than_low_mobility():
    scoring = grid.merged_scoring(None)
    good = grid.score_assessment(GOOD_ANSWERS, scoring)["mobility_potential"]
    low = grid.score_assessment(LOW_ANSWERS, scoring)["mobility_potential"]
    assert good > 80 > 50 > low


def test_validate_answers_rejects_unknown_questions_and_answers():
    bad = {**GOOD_ANSWERS, "favourite_colour": "blue", "balance": "excellent",
           "modes_used": ["bus", "rocket"]}
    del bad["health"]
    _clean, errors = grid.validate_answers(bad)
    assert set(errors) == {"answers.favourite_colour", "answers.balance",
                           "answers.modes_used", "answers.health"}


def test_none_cannot_be_combined():
    _clean, errors = grid.validate_answers({**GOOD_ANSWERS, "equipment": ["none", "bike"]})
    assert set(errors) == {"answers.equipment"}


def test_ladder_puts_public_transport_first_when_it_fits():
    ladder = grid.recommend_ladder(GOOD_ANSWERS)
    assert [item["level"] for item in ladder] == list(grid.LADDER_LEVELS)
    assert ladder[0]["status"] == "recommended"
    assert ladder[0]["coaching"] is False
    assert all(item["status"] == "alternative" for item in ladder[1:])


def test_coaching_is_recommended_with_public_transport_when_urban_skills_are_low():
    answers = {**GOOD_ANSWERS, "reads_map": "with_help", "reads_timetable": "with_help",
               "knows_network": "partial", "knows_fare_rights": "no"}
    ladder = grid.recommend_ladder(answers)
    assert ladder[0]["status"] == "recommended" and ladder[0]["coaching"] is True


def test_night_shifts_reject_public_transport_and_pick_the_greenest_rental():
    ladder = grid.recommend_ladder({**GOOD_ANSWERS, "hours": "night"})
    assert reasons(ladder, "public_transport") == ["night_hours"]
    assert statuses(ladder)["bike"] == "recommended"


def test_capacities_decide_the_rental_level_with_reasons():
    answers = {**GOOD_ANSWERS, "hours": "night", "rides_bike": "no", "two_wheeler": "no",
               "licence_b": "held"}
    ladder = grid.recommend_ladder(answers)
    assert reasons(ladder, "bike") == ["cannot_ride_bike"]
    assert reasons(ladder, "e_bike") == ["cannot_ride_bike"]
    # the licence B allows a 125 cc scooter after training
    assert statuses(ladder)["scooter_moped"] == "recommended"
    no_licence = grid.recommend_ladder({**answers, "licence_b": "no"})
    assert reasons(no_licence, "scooter_moped") == ["no_two_wheeler_capacity"]
    assert reasons(no_licence, "car") == ["no_licence_b"]
    assert statuses(no_licence)["carpool"] == "recommended"


def test_file_licence_overrides_the_answer():
    answers = {**GOOD_ANSWERS, "hours": "night", "rides_bike": "no", "two_wheeler": "no",
               "licence_b": "no"}
    ladder = grid.recommend_ladder(answers, has_licence_b=True)
    assert statuses(ladder)["scooter_moped"] == "recommended"
    assert statuses(ladder)["car"] == "alternative"


def test_people_who_cannot_travel_alone_get_the_minibus():
    ladder = grid.recommend_ladder({**GOOD_ANSWERS, "trips_alone": "never"})
    assert statuses(ladder)["minibus"] == "recommended"
    assert all("cannot_travel_alone" in item["reasons"] for item in ladder[:-1])


def test_psychomotor_threshold_is_configurable():
    answers = {**GOOD_ANSWERS, "hours": "night", "balance": "poor", "perception": "fair"}
    ladder = grid.recommend_ladder(answers)  # psychomotor = 50: exactly the default minimum
    assert statuses(ladder)["bike"] == "recommended"
    strict = grid.recommend_ladder(answers, thresholds={"bike_min_psychomotor": 60})
    assert reasons(strict, "bike") == ["psychomotor_too_low"]


@pytest.mark.parametrize("value", [False, (False, "2 h 10 by bus"), "object"])
def test_feasibility_from_routing_rejects_a_level(value):
    class ModeResult:
        feasible = False
        reasons = ("too long",)

    feasibility = {"public_transport": ModeResult() if value == "object" else value}
    ladder = grid.recommend_ladder(GOOD_ANSWERS, feasibility=feasibility)
    assert reasons(ladder, "public_transport") == ["not_feasible"]
    assert statuses(ladder)["bike"] == "recommended"


def test_routing_mode_names_are_understood():
    ladder = grid.recommend_ladder(
        {**GOOD_ANSWERS, "hours": "night"},
        feasibility={"bike": False, "e_bike": False, "two_wheel_motor": True, "carpool": False})
    assert statuses(ladder)["scooter_moped"] == "recommended"
    assert reasons(ladder, "carpool") == ["no_match"]


def test_scoring_overrides_are_validated():
    assert grid.validate_scoring({"weights": {"urban": 30}}) == {}
    errors = grid.validate_scoring({"weights": {"urban": -1, "magic": 3},
                                    "thresholds": {"coaching_below": 150}, "other": 1})
    assert set(errors) == {"weights.urban", "weights.magic", "thresholds.coaching_below",
                           "other"}
    zero = {k: 0 for k in grid.DEFAULT_SCORING["weights"]}
    assert "weights" in grid.validate_scoring({"weights": zero})
