"""What the rentals feature announces to the features above it, which connect in their
`init_app` (blinker signals): rentals never imports them. Each is sent inside the step's
transaction, before its commit, with `sender=rental`."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: a rental was booked (partners send `rental.booked`)
rental_booked = _signals.signal("rental-booked")

#: the vehicle left with the person, check-out inspection recorded (`rental.handed_over`)
rental_handed_over = _signals.signal("rental-handed-over")

#: the vehicle came back, check-in inspection recorded (`rental.returned`)
rental_returned = _signals.signal("rental-returned")

#: the rental's vehicle was replaced: `sender=rental, vehicle=the new vehicle`
#: (notifications tell the person where and when to fetch it)
vehicle_replaced = _signals.signal("rental-vehicle-replaced")
