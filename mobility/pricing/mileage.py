"""The distance a rental allows: the one computation the contract, the checkpoints and the
check-in summary share (a leaf module: the contract imports it without the rental rules)."""

from __future__ import annotations


def allowance_for(rental, working_days: int) -> float | None:
    """The distance allowed over `working_days`: the daily allowance (stored to 0.1 km at
    booking) times the days, to 0.1 km. The one computation the contract, the checkpoints and
    the check-in summary share."""
    if not rental.daily_mileage_allowance_km:
        return None
    return round(rental.daily_mileage_allowance_km * working_days, 1)
