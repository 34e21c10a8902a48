"""Fleet API of shared transport: carpool rides and minibus runs, and their seats. Endpoints on
`mobility.api`'s blueprint, like `mobility.fleet_web.api`'s."""

from __future__ import annotations

from fleet import services
from fleet.models import CarpoolRide, MinibusRun
from mobility.api import api_route
from mobility.auth.policies import get_or_404, scoped
from mobility.core.roles import STAFF
from mobility.fleet_web.access import BOOKERS
from mobility.fleet_web.api import TAGS
from mobility.fleet_web.schemas import MinibusSeatIn, RideIn, RunIn, SeatsIn
from mobility.fleet_web.serialise import minibus_seat_json, ride_json, run_json, seat_json
from mobility.pagination import PageOnly, page_response, paginate


@api_route("/carpool/rides", roles=STAFF, query=PageOnly, response=list, tags=TAGS,
           summary="List carpool rides, a page at a time (Link: rel=next)")
def list_rides(user, query: PageOnly):
    page = paginate(scoped(CarpoolRide, user), (CarpoolRide.id,), cursor=query.cursor,
                    limit=query.limit)
    return page_response(page, [ride_json(r) for r in page])


@api_route("/carpool/rides", methods=("POST",), roles=STAFF, body=RideIn, status=201,
           summary="Offer a carpool ride", tags=TAGS)
def create_ride(user, body: RideIn):
    return ride_json(services.create_ride(user, **body.model_dump())), 201


@api_route("/carpool/rides/<int:ride_id>/seats", methods=("POST",), roles=BOOKERS, body=SeatsIn,
           status=201, summary="Book seats on a ride for dates (409 when full)", tags=TAGS)
def book_seats(user, ride_id: int, body: SeatsIn):
    ride = get_or_404(CarpoolRide, ride_id, user)
    dates = list(body.dates or []) + ([body.day] if body.day else [])
    bookings = services.book_seats(user, ride, beneficiary_id=body.beneficiary_id, dates=dates)
    return [seat_json(b) for b in bookings], 201


@api_route("/minibus/runs", roles=STAFF, query=PageOnly, response=list, tags=TAGS,
           summary="List minibus runs by date, a page at a time (Link: rel=next)")
def list_runs(user, query: PageOnly):
    page = paginate(scoped(MinibusRun, user), (MinibusRun.run_date, MinibusRun.id),
                    cursor=query.cursor, limit=query.limit)
    return page_response(page, [run_json(r) for r in page])


@api_route("/minibus/runs", methods=("POST",), roles=STAFF, body=RunIn, status=201,
           summary="Plan a minibus run with its ordered stops", tags=TAGS)
def create_run(user, body: RunIn):
    data = body.model_dump()
    run = services.create_run(user, **data)
    return run_json(run), 201


@api_route("/minibus/runs/<int:run_id>/seats", methods=("POST",), roles=BOOKERS,
           body=MinibusSeatIn, status=201,
           summary="Book a seat on a run (the passenger accepts the charter)", tags=TAGS)
def book_minibus_seat(user, run_id: int, body: MinibusSeatIn):
    run = get_or_404(MinibusRun, run_id, user)
    booking = services.book_minibus_seat(user, run, **body.model_dump())
    return minibus_seat_json(booking), 201
