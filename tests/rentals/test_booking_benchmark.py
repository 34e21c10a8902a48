"""The booking benchmark measures a real booking: every booking it counts as successful went
through the advisor's `book` (the rules, the terms) and got its routed mileage allowance, and
its double bookings are refused as such. A small run on a scratch SQLite file."""

from benchmarks.fleet import run


def test_the_benchmark_books_as_an_advisor_does(tmp_path):
    result = run(f"sqlite:///{tmp_path / 'bench.db'}", rentals=2_000, vehicles=60, sites=3,
                 samples=30)
    assert result["booked"] and result["conflict"]
    assert not result["refused"], result["refusals"]
    # every booking got its allowance (the ten warm-up samples are written too, not timed;
    # the generated rentals have none)
    assert len(result["booked"]) <= result["with_allowance"] <= len(result["booked"]) + 10
