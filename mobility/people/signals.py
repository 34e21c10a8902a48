"""What the people feature announces to the features above it, which connect in their
`init_app` (blinker signals, as Flask's own): people never imports them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: a person's file changed what prices their rentals (RSA, resources, household): sent with
#: `sender=actor, person=beneficiary` inside the update's transaction; the rentals feature
#: records the amendments (`mobility.rentals.lifecycle.situation_changed`)
situation_changed = _signals.signal("person-situation-changed")
