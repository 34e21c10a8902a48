"""What the people feature announces to the features above it, which connect in their
`init_app` (blinker signals, as Flask's own): people never imports them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: a person's file changed what prices their rentals (RSA, resources, household): sent with
#: `sender=actor, person=beneficiary` inside the update's transaction; the rentals feature
#: records the amendments (`mobility.rentals.lifecycle.situation_changed`)
situation_changed = _signals.signal("person-situation-changed")

#: a prescriber's referral was recorded: `sender=referral`, inside its transaction (partners
#: send the `referral.created` webhook)
referral_created = _signals.signal("referral-created")

#: a referral was accepted or declined: `sender=referral`, inside the decision's transaction
referral_decided = _signals.signal("referral-decided")

#: an advisor wrote to the person's referents: `sender=feedback, actor=…, beneficiary=…,
#: pathway=…`, inside its transaction (notifications queue the message to each referent)
feedback_given = _signals.signal("referent-feedback-given")

#: a pathway was closed with its outcome: `sender=pathway, actor=…, beneficiary=…`, inside the
#: exit's transaction (notifications tell the referents; partners send `pathway.exited`)
pathway_exited = _signals.signal("pathway-exited")
