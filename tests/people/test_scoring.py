"""The assessment grid and its scoring (pure functions); the ladder it feeds is tested in
tests/commute/test_ladder.py."""


from mobility.people import grid
from mobility.people.scoring import score_assessment
from tests.people.answers import GOOD_ANSWERS, LOW_ANSWERS


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
    default = score_assessment(LOW_ANSWERS, grid.merged_scoring(None))
    heavy_psychomotor = grid.merged_scoring({"weights": {"psychomotor": 100}})
    changed = score_assessment(LOW_ANSWERS, heavy_psychomotor)
    assert changed["mobility_potential"] > default["mobility_potential"]
    assert 0 <= default["mobility_potential"] <= 100


def test_good_mobility_scores_higher_than_low_mobility():
    scoring = grid.merged_scoring(None)
    good = score_assessment(GOOD_ANSWERS, scoring)["mobility_potential"]
    low = score_assessment(LOW_ANSWERS, scoring)["mobility_potential"]
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


def test_scoring_overrides_are_validated():
    assert grid.validate_scoring({"weights": {"urban": 30}}) == {}
    errors = grid.validate_scoring({"weights": {"urban": -1, "magic": 3},
                                    "thresholds": {"coaching_below": 150}, "other": 1})
    assert set(errors) == {"weights.urban", "weights.magic", "thresholds.coaching_below",
                           "other"}
    zero = {k: 0 for k in grid.DEFAULT_SCORING["weights"]}
    assert "weights" in grid.validate_scoring({"weights": zero})
