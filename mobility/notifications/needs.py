"""What the notifications feature asks of the features above it (`docs/ARCHITECTURE.md`):
each is provided by that feature's `init_app`, so notifications never imports them."""

from __future__ import annotations

from mobility.core.provided import Provided

#: `(*, beneficiary_id, url, message_id) -> str | None`: a single-use sign-in link to the page
#: `url` shows (`mobility.portal.links.link_for_message`)
sign_in_link = Provided("notifications.needs.sign_in_link", by="mobility.portal")
