"""Answers and bodies for the people tests: assessment answer sets with good and with little
mobility, a referral as a partner posts it. (The records come from `tests.factories`.)"""

#: a complete set of answers with good mobility
GOOD_ANSWERS = {
    "modes_used": ["walk", "bus", "train"], "trips_alone": "anywhere",
    "longest_trip": "nearby_towns", "walking": "easy", "balance": "good", "perception": "good",
    "reads_map": "yes", "reads_timetable": "yes", "buys_ticket": "yes", "orientation": "yes",
    "rides_bike": "confident", "two_wheeler": "some", "licence_b": "held",
    "driving_experience": "occasional", "knows_network": "good", "knows_fare_rights": "yes",
    "budget": "enough", "equipment": ["phone_data", "transit_pass"], "hours": "standard",
    "children": "none", "health": "none",
}
#: a complete set of answers with little mobility
LOW_ANSWERS = {
    **GOOD_ANSWERS, "modes_used": ["walk"], "trips_alone": "familiar_only",
    "longest_trip": "town", "reads_map": "with_help", "reads_timetable": "no",
    "buys_ticket": "with_help", "orientation": "with_help", "rides_bike": "no",
    "two_wheeler": "no", "licence_b": "no", "driving_experience": "none",
    "knows_network": "none", "knows_fare_rights": "no", "budget": "tight",
    "equipment": ["none"], "hours": "early_late",
}


def referral_body(**overrides) -> dict:
    body = {
        "first_name": "Inès", "last_name": "Garcia", "birth_date": "1997-02-03",
        "gender": "female", "phone": "0611223344", "address": "Avenue de Verdun, 06360 Èze",
        "reason": "job_found", "employer": "Café de Paris",
        "workplace_address": "Place du Casino, Monaco", "shift_start": "05:30",
        "shift_end": "13:00", "early_shifts": True, "contract_type": "fixed_term",
        "contract_start": "2026-01-05", "contract_end": "2026-07-05",
        "obstacles": ["no_vehicle", "cost"], "consent": True,
    }
    body.update(overrides)
    return body
