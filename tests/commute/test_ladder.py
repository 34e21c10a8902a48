"""The one ladder (mobility.people.ladder.build_ladder): its rules, on plain data.

Each rule is tested on both sides of its boundary: capacities from the assessment, coaching,
confirmation by the commute check, the timetable deciding public transport (never the word
"night"), carpool and minibus.
"""

from __future__ import annotations

import pytest

from mobility.people.ladder import LEVELS, build_ladder, normalise, statuses
from tests.people.answers import GOOD_ANSWERS, LOW_ANSWERS

from .helpers import (
    ALL_OK,
    level_codes,
    level_of,
    too_long,
    transit_no_return,
    transit_ok,
)


def test_one_vocabulary_in_the_schemes_order():
    ladder = build_ladder(answers=GOOD_ANSWERS, modes=ALL_OK, transit=transit_ok())
    assert [lv["level"] for lv in ladder["levels"]] == list(LEVELS) == [
        "public_transport", "walk", "bike", "e_bike", "moped_scooter", "carpool", "minibus",
        "car"]
    assert ladder["recommended"] == "public_transport"
    assert {lv["status"] for lv in ladder["levels"][1:4]} == {"possible"}
    # has tried a scooter but does not ride one regularly: coaching first
    assert level_of(ladder, "moped_scooter")["status"] == "possible_with_coaching"


def test_public_transport_with_a_timetable_names_the_line_and_times():
    ladder = build_ladder(answers=GOOD_ANSWERS, modes=ALL_OK, transit=transit_ok())
    line = next(r for r in level_of(ladder, "public_transport")["reasons"]
                if r["code"] == "transit_line")
    assert line["params"]["line"] == "1" and line["params"]["leave"] == "05:31"
    assert line["params"]["back_board"] == "14:07"


def test_night_shift_is_judged_by_the_timetable_not_the_word_night():
    night = {**GOOD_ANSWERS, "hours": "night"}
    with_night_bus = build_ladder(answers=night, modes=ALL_OK, transit=transit_ok())
    assert with_night_bus["recommended"] == "public_transport"
    without = build_ladder(answers=night, modes=ALL_OK, transit=transit_no_return())
    assert level_of(without, "public_transport")["status"] == "ruled_out"
    assert level_codes(without, "public_transport") == ["no_return"]
    assert without["recommended"] == "walk"


def test_without_a_timetable_transit_is_possible_but_never_recommended():
    not_checked = {"checked": False, "feasible": False, "days": [],
                   "reasons": [{"code": "no_feed", "params": {}}]}
    ladder = build_ladder(answers=GOOD_ANSWERS, modes=ALL_OK, transit=not_checked)
    first = level_of(ladder, "public_transport")
    assert first["status"] == "possible" and first["confirmed"] is None
    assert level_codes(ladder, "public_transport") == ["no_feed"]
    assert ladder["recommended"] == "walk"


def test_nothing_is_recommended_before_the_commute_is_checked():
    ladder = build_ladder(answers=GOOD_ANSWERS)
    assert ladder["recommended"] is None
    assert statuses(ladder)["walk"] == "possible"
    assert level_codes(ladder, "walk") == ["commute_not_checked"]


def test_a_mode_over_the_time_limit_is_ruled_out_with_the_checks_reason():
    ladder = build_ladder(answers=GOOD_ANSWERS, modes={**ALL_OK, "walk": too_long()},
                          transit=transit_no_return())
    assert statuses(ladder)["walk"] == "ruled_out" and level_codes(ladder, "walk") == ["too_long"]
    assert ladder["recommended"] == "bike"


@pytest.mark.parametrize(("urban_answers", "status"), [
    # urban sub-score 25: exactly the minimum, so coaching first
    ({"reads_map": "yes", "reads_timetable": "no", "buys_ticket": "no",
      "orientation": "no"}, "possible_with_coaching"),
    # urban sub-score 13: just below it
    ({"reads_map": "with_help", "reads_timetable": "no", "buys_ticket": "no",
      "orientation": "no"}, "ruled_out"),
    # urban sub-score 0: below the minimum even with coaching
    ({"reads_map": "no", "reads_timetable": "no", "buys_ticket": "no", "orientation": "no"},
     "ruled_out"),
])
def test_urban_aptitudes_boundary(urban_answers, status):
    ladder = build_ladder(answers={**GOOD_ANSWERS, **urban_answers}, modes=ALL_OK,
                          transit=transit_ok())
    assert statuses(ladder)["public_transport"] in (status, "recommended")
    if status == "ruled_out":
        assert level_codes(ladder, "public_transport") == ["urban_aptitudes_too_low"]
        assert ladder["recommended"] == "walk"
    else:
        assert ladder["recommended"] == "public_transport"
        assert level_of(ladder, "public_transport")["coaching"] is True


def test_coaching_threshold_boundary():
    answers = {**GOOD_ANSWERS, "knows_network": "partial", "knows_fare_rights": "partial"}
    # transit sub-score 50: below 60 → coaching; with the threshold at 50 → none
    assert build_ladder(answers=answers, modes=ALL_OK, transit=transit_ok(),
                        thresholds={"coaching_below": 60}
                        )["levels"][0]["coaching"] is True
    assert build_ladder(answers=answers, modes=ALL_OK, transit=transit_ok(),
                        thresholds={"coaching_below": 50}
                        )["levels"][0]["coaching"] is False


def test_capacities_rule_levels_out_with_reasons():
    answers = {**GOOD_ANSWERS, "walking": "unable", "rides_bike": "no", "two_wheeler": "no",
               "licence_b": "no"}
    ladder = build_ladder(answers=answers, has_licence_b=False, modes=ALL_OK,
                          transit=transit_ok(), carpool=[], minibus=True)
    st = statuses(ladder)
    assert level_codes(ladder, "public_transport") == ["walking_difficult"]
    assert level_codes(ladder, "walk") == ["cannot_walk"]
    assert level_codes(ladder, "bike") == ["cannot_ride_bike"]
    assert level_codes(ladder, "moped_scooter") == ["no_moped_capacity"]
    assert level_codes(ladder, "car") == ["no_licence_b"]
    assert st["carpool"] == "ruled_out" and level_codes(ladder, "carpool") == ["no_carpool"]
    assert ladder["recommended"] == "minibus"


def test_the_files_licence_counts_even_when_the_answer_says_no():
    answers = {**GOOD_ANSWERS, "licence_b": "no", "two_wheeler": "no"}
    without = build_ladder(answers=answers, has_licence_b=False, modes=ALL_OK)
    assert statuses(without)["car"] == "ruled_out"
    assert statuses(without)["moped_scooter"] == "ruled_out"
    with_licence = build_ladder(answers=answers, has_licence_b=True, modes=ALL_OK)
    assert statuses(with_licence)["car"] == "possible"
    # licence B without two-wheeler experience: the moped needs coaching first
    assert statuses(with_licence)["moped_scooter"] == "possible_with_coaching"


def test_psychomotor_boundary_for_bikes():
    answers = {**GOOD_ANSWERS, "balance": "poor", "perception": "fair"}  # psychomotor = 50
    at_limit = build_ladder(answers=answers, modes=ALL_OK)
    assert statuses(at_limit)["bike"] == "possible"
    strict = build_ladder(answers=answers, modes=ALL_OK, thresholds={"bike_min_psychomotor": 51})
    assert level_codes(strict, "bike") == ["psychomotor_too_low"]


def test_people_who_cannot_travel_alone_get_the_minibus_only():
    ladder = build_ladder(answers={**GOOD_ANSWERS, "trips_alone": "never"}, modes=ALL_OK,
                          transit=transit_ok(), minibus=True)
    assert ladder["recommended"] == "minibus"
    assert all(level_codes(ladder, lv)[0] == "cannot_travel_alone" for lv in LEVELS
               if lv != "minibus")
    no_run = build_ladder(answers={**GOOD_ANSWERS, "trips_alone": "never"}, minibus=False)
    assert no_run["recommended"] is None and level_codes(no_run, "minibus") == ["no_minibus"]


def test_carpool_rides_ranked_by_detour_confirm_the_level():
    rides = [{"ride_id": 7, "detour_s": 240}, {"ride_id": 3, "detour_s": 600}]
    answers = {**GOOD_ANSWERS, "walking": "unable", "rides_bike": "no", "two_wheeler": "no",
               "licence_b": "no"}
    ladder = build_ladder(answers=answers, has_licence_b=False, modes=ALL_OK, carpool=rides)
    assert ladder["recommended"] == "carpool"
    assert [r["ride_id"] for r in level_of(ladder, "carpool")["rides"]] == [7, 3]
    assert level_of(ladder, "carpool")["reasons"][0]["params"]["detour_min"] == 4
    unknown = build_ladder(answers=answers, has_licence_b=False, modes=ALL_OK, carpool=None)
    assert statuses(unknown)["carpool"] == "possible"
    assert level_codes(unknown, "carpool") == ["carpool_not_checked"]


def test_learning_riders_and_rusty_drivers_need_coaching():
    answers = {**LOW_ANSWERS, "rides_bike": "learning", "licence_b": "held",
               "driving_experience": "none"}
    ladder = build_ladder(answers=answers, modes=ALL_OK)
    assert statuses(ladder)["bike"] == "possible_with_coaching"
    assert "coaching_bike" in level_codes(ladder, "bike")
    assert statuses(ladder)["car"] == "possible_with_coaching"


def test_older_stored_ladders_read_with_todays_words():
    old = [{"level": "scooter_moped", "status": "alternative", "reasons": []},
           {"level": "public_transport", "status": "rejected", "reasons": ["night_hours"]},
           {"level": "walk_bike", "status": "recommended", "reasons": []}]
    assert statuses(old) == {"moped_scooter": "possible", "public_transport": "ruled_out",
                             "walk": "recommended"}
    assert normalise(old)["recommended"] == "walk"
    assert normalise(old)["levels"][1]["reasons"] == [{"code": "night_hours", "params": {}}]


LINE_REASON = {"code": "transit_line", "params": {
    "line": "TER 4", "leave": "07:12", "board": "Gare", "arrive": "07:40", "back_line": "TER 4",
    "back_board": "17:20", "back_stop": "Monaco"}}


@pytest.mark.parametrize("locale,word", [("fr", "Ligne"), ("en", "Line")])
def test_a_page_presents_a_reason_in_the_readers_language_the_api_in_both(
        sqlite_app, locale, word):
    from flask_babel import force_locale

    from mobility.people.reasons import present_reason

    with sqlite_app.test_request_context(), force_locale(locale):
        page = present_reason(LINE_REASON, both_languages=False)
        api = present_reason(LINE_REASON)
    assert page["message"].startswith(word + " TER 4") and "messages" not in page
    assert api["message"] == page["message"]
    assert api["messages"]["fr"].startswith("Ligne TER 4")
    assert api["messages"]["en"].startswith("Line TER 4")
