"""What the people feature asks of the features above it (`docs/ARCHITECTURE.md`): each is
provided by that feature's `init_app`, so people never imports them."""

from __future__ import annotations

from mobility.core.provided import Provided

#: `(text) -> (lat, lon) | None`: an address through the commute feature's geocoder
#: (`mobility.commute.services.geocode_address`)
geocode = Provided("people.needs.geocode", by="mobility.commute")

#: `(beneficiary) -> {"modes", "transit"} | None`: the commute check of the person's home–work
#: trip at their shift times (`mobility.commute.services.commute_feasibility_for`)
commute_feasibility = Provided("people.needs.commute_feasibility", by="mobility.commute")

#: `(beneficiary_id) -> int`: the AMIE months the person has used, which the AMIE eligibility
#: counts (`mobility.pricing.amie.amie_months_used`)
amie_months_used = Provided("people.needs.amie_months_used", by="mobility.pricing")
