"""The rental's life as a state machine, one function per transition.

    quote -> book (with a scheme) -> [reprice] -> sign contract -> take deposit
          -> hand over (check-out) -> weekly checkpoints -> extend / shorten / replace
          -> take back (check-in) -> settle -> closed;  cancel from booked

Each transition checks ALL its preconditions (`mobility.rentals.rules`) before it changes
anything, and refuses with a stable code and a message in French and English that says what to
do next: HTTP 409 for the rental's state, 422 when the person or the vehicle does not qualify.
Booking, replacement and extension go through the same checks. `docs/lifecycle.md` has the
diagram and the table of transitions, preconditions and refusal codes.

A small package re-exporting its modules' public names, because the pages, the API, the demo
and the tests call `lifecycle.<transition>`:

- `states`: the states each transition starts from, `refuse`, `check_state`, `explain`;
- `booking`: `book`, `change_scheme`, `situation_changed`, the mileage allowance;
- `paperwork`: `sign_contract`, `take_deposit`, `exempt_deposit`;
- `handover`: `hand_over` (and what is still missing), `take_back`, `mileage_summary`;
- `changes`: `change_end`, `extend`, `shorten`, `replace`;
- `closing`: `waive_late_days`, `settle`, `cancel`.
"""

from fleet.models import CHECKLISTS
from mobility.rentals import rules
from mobility.rentals.lifecycle.booking import (
    BookingOverrides,
    book,
    booking_refusals,
    change_scheme,
    mileage_allowance_for,
    next_period_start,
    situation_changed,
)
from mobility.rentals.lifecycle.changes import change_end, extend, replace, shorten
from mobility.rentals.lifecycle.closing import cancel, settle, waive_late_days
from mobility.rentals.lifecycle.handover import (
    READY_LABELS,
    ReadyItem,
    hand_over,
    handover_readiness,
    handover_refusals,
    mileage_summary,
    take_back,
)
from mobility.rentals.lifecycle.paperwork import exempt_deposit, sign_contract, take_deposit
from mobility.rentals.lifecycle.states import (
    ALLOWED_FROM,
    STATE_CODES,
    STATE_MESSAGES,
    check_state,
    explain,
    refuse,
)

__all__ = ["ALLOWED_FROM", "CHECKLISTS", "READY_LABELS", "STATE_CODES", "STATE_MESSAGES",
           "BookingOverrides", "ReadyItem", "book", "booking_refusals", "cancel", "change_end",
           "change_scheme", "check_state", "exempt_deposit", "explain", "extend", "hand_over",
           "handover_readiness", "handover_refusals", "mileage_allowance_for",
           "mileage_summary", "next_period_start", "refuse", "replace", "rules", "settle",
           "shorten",
           "sign_contract", "situation_changed", "take_back", "take_deposit",
           "waive_late_days"]
