"""What the checkpoints feature announces to the features above it, which connect in their
`init_app` (blinker signals): checkpoints never imports them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: a weekly checkpoint was recorded: `sender=checkpoint`, inside its transaction (partners send
#: `checkpoint.recorded`)
checkpoint_recorded = _signals.signal("checkpoint-recorded")
