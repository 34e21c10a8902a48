"""Fleet API of a rental: booking, its steps (extend, shorten, cancel, check-out, check-in,
return slot, replacement, scheme, deposit exemption, late days, settlement) and the returns
list. Endpoints on `mobility.api`'s blueprint, like `mobility.fleet_web.api`'s."""

from __future__ import annotations

from fleet import services
from fleet.models import Rental
from mobility.api import api_route
from mobility.auth.policies import get_or_404
from mobility.core.dates import local_today
from mobility.core.roles import BENEFICIARY, STAFF
from mobility.fleet_web.access import BOOKERS, FLEET
from mobility.fleet_web.api import TAGS
from mobility.fleet_web.schemas import (
    CheckInIn,
    EndIn,
    InspectionIn,
    ReasonIn,
    RentalIn,
    ReplaceIn,
    ReturnSlotIn,
    ReturnsQuery,
    SchemeIn,
    SettleIn,
)
from mobility.fleet_web.serialise import job_json, readiness_json, rental_json
from mobility.pagination import page_response, paginate
from mobility.rentals import lifecycle


@api_route("/rentals", methods=("POST",), roles=BOOKERS, body=RentalIn, status=201,
           summary="Book a vehicle for a beneficiary (409 with the conflicting rentals)",
           tags=TAGS)
def create_rental(user, body: RentalIn):
    rental = lifecycle.book(
        user, beneficiary_id=body.beneficiary_id, vehicle_id=body.vehicle_id, start=body.start,
        end=body.end, scheme=body.scheme, notes=body.notes,
        overrides=lifecycle.BookingOverrides(no_assessment=body.no_assessment_reason,
                                             second_vehicle=body.second_vehicle_reason))
    return rental_json(rental), 201


@api_route("/rentals/<int:rental_id>", roles=STAFF | {BENEFICIARY},
           summary="One rental (a beneficiary sees only their own)", tags=TAGS)
def get_rental(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user)
    return rental_json(rental, for_beneficiary=user.role == BENEFICIARY)


@api_route("/rentals/<int:rental_id>/extend", methods=("POST",), roles=BOOKERS, body=EndIn,
           summary="Extend a rental (409 when the vehicle is booked after)", tags=TAGS)
def extend_rental(user, rental_id: int, body: EndIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.extend(user, rental, body.end))


@api_route("/rentals/<int:rental_id>/shorten", methods=("POST",), roles=BOOKERS, body=EndIn,
           summary="Bring a rental's planned return date forward", tags=TAGS)
def shorten_rental(user, rental_id: int, body: EndIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.shorten(user, rental, body.end))


@api_route("/rentals/<int:rental_id>/cancel", methods=("POST",), roles=BOOKERS,
           summary="Cancel a booking not yet handed over", tags=TAGS)
def cancel_rental(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.cancel(user, rental))


@api_route("/rentals/<int:rental_id>/check-out", methods=("POST",), roles=FLEET,
           body=InspectionIn, summary="Hand the vehicle over (check-out inspection)", tags=TAGS)
def check_out(user, rental_id: int, body: InspectionIn):
    rental = get_or_404(Rental, rental_id, user, action="inspect")
    lifecycle.hand_over(user, rental, **body.model_dump())
    return rental_json(rental)


@api_route("/rentals/<int:rental_id>/check-in", methods=("POST",), roles=FLEET,
           body=CheckInIn, summary="Take the vehicle back (check-in inspection; an early "
           "return frees the rest of the period)", tags=TAGS)
def check_in(user, rental_id: int, body: CheckInIn):
    rental = get_or_404(Rental, rental_id, user, action="inspect")
    _, job = lifecycle.take_back(user, rental, **body.model_dump())
    out = rental_json(rental)
    out["maintenance_job"] = job_json(job) if job else None
    return out


@api_route("/rentals/<int:rental_id>/return-slot", methods=("POST",), roles=FLEET,
           body=ReturnSlotIn, summary="Schedule the return at a site", tags=TAGS)
def return_slot(user, rental_id: int, body: ReturnSlotIn):
    rental = get_or_404(Rental, rental_id, user, action="inspect")
    return rental_json(services.schedule_return(user, rental, site_id=body.site_id,
                                                slot_at=body.slot_at))


@api_route("/rentals/<int:rental_id>/replace", methods=("POST",), roles=FLEET | BOOKERS,
           body=ReplaceIn, summary="Move a rental to a replacement vehicle", tags=TAGS)
def replace(user, rental_id: int, body: ReplaceIn):
    rental = get_or_404(Rental, rental_id, user)
    return rental_json(lifecycle.replace(user, rental, body.vehicle_id))


@api_route("/rentals/<int:rental_id>/readiness", roles=STAFF,
           summary="What is done and what is missing before the hand-over", tags=TAGS)
def readiness(user, rental_id: int):
    rental = get_or_404(Rental, rental_id, user)
    return {"rental_id": rental.id, "status": rental.status,
            "items": readiness_json(rental) or []}


@api_route("/rentals/<int:rental_id>/scheme", methods=("POST",), roles=BOOKERS, body=SchemeIn,
           summary="Choose the scheme before the contract is signed (re-prices the rental)",
           tags=TAGS)
def change_scheme(user, rental_id: int, body: SchemeIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.change_scheme(user, rental, body.scheme))


@api_route("/rentals/<int:rental_id>/deposit-exemption", methods=("POST",), roles=BOOKERS,
           body=ReasonIn, summary="Hand over without a deposit, with the advisor's reason",
           tags=TAGS)
def exempt_deposit(user, rental_id: int, body: ReasonIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.exempt_deposit(user, rental, reason=body.reason))


@api_route("/rentals/<int:rental_id>/late-days/waive", methods=("POST",), roles=BOOKERS,
           body=ReasonIn, summary="Do not charge the days kept after the planned return",
           tags=TAGS)
def waive_late_days(user, rental_id: int, body: ReasonIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.waive_late_days(user, rental, reason=body.reason))


@api_route("/rentals/<int:rental_id>/settle", methods=("POST",), roles=BOOKERS, body=SettleIn,
           summary="Close a returned rental: late days, deposit given back or kept",
           tags=TAGS)
def settle(user, rental_id: int, body: SettleIn):
    rental = get_or_404(Rental, rental_id, user, action="edit")
    return rental_json(lifecycle.settle(user, rental, kept_cents=body.kept_cents,
                                        damage_note=body.damage_note,
                                        waive_late_days_reason=body.waive_late_days_reason))


def _returns_row(rental: Rental, bucket: str) -> dict:
    out = rental_json(rental)
    out["bucket"] = bucket
    out["beneficiary"] = {"id": rental.beneficiary.id, "name": rental.beneficiary.full_name,
                          "phone": rental.beneficiary.phone}
    out["advisor"] = ({"id": rental.advisor.id, "name": rental.advisor.full_name,
                       "email": rental.advisor.email} if rental.advisor else None)
    return out


@api_route("/returns", roles=STAFF, query=ReturnsQuery, response=list,
           summary="Returns due (today and this week) or overdue, by planned return date, "
           "a page at a time (Link: rel=next)", tags=TAGS)
def returns(user, query: ReturnsQuery):
    day = local_today()
    buckets = {"due": ("today", "week"), "overdue": ("overdue",),
               None: services.RETURN_BUCKETS}[query.status]
    page = paginate(services.returns_query(user.platform_id, day, buckets),
                    (Rental.end_date, Rental.id), cursor=query.cursor, limit=query.limit,
                    unique=True)
    return page_response(page, [_returns_row(r, services.return_bucket(r, day)) for r in page])
