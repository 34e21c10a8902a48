"""Fleet API: sites, vehicles, availability, maintenance; the photos' upload settings.

The other endpoints are by area: `api_rentals` (a rental's steps, returns) and `api_rides`
(carpool and minibus); bodies are in `schemas`, answers in `serialise`."""

from __future__ import annotations

from fleet import services
from fleet.models import MaintenanceJob, Site, Vehicle
from mobility.api import api_route
from mobility.auth.policies import get_or_404, scoped
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.roles import STAFF
from mobility.core.translations import lazy_gettext as _l
from mobility.fleet_web import lists
from mobility.fleet_web.access import FLEET
from mobility.fleet_web.schemas import (
    AvailabilityQuery,
    ImmobiliseIn,
    MaintenanceDoneIn,
    MaintenanceIn,
    SiteIn,
    VehicleIn,
    VehiclePatch,
    VehicleQuery,
)
from mobility.fleet_web.serialise import job_json, rental_json, site_json, vehicle_json
from mobility.pagination import PageOnly, page_response, paginate

TAGS = ["fleet"]


def _site_id_of_platform(user, site_id: int | None) -> int | None:
    if site_id is None:
        return None
    site = db.session.get(Site, site_id)
    if site is None or site.platform_id != user.platform_id:
        raise ValidationFailed(details={"site_id": _l("This site does not exist.")})
    return site_id


@api_route("/sites", roles=STAFF, query=PageOnly, response=list, tags=TAGS,
           summary="List the sites, by name, a page at a time (Link: rel=next)")
def list_sites(user, query: PageOnly):
    page = paginate(scoped(Site, user), (Site.name, Site.id), cursor=query.cursor,
                    limit=query.limit)
    return page_response(page, [site_json(s) for s in page])


@api_route("/sites", methods=("POST",), roles=FLEET, body=SiteIn, status=201,
           summary="Create a site (pole or parking)", tags=TAGS)
def create_site(user, body: SiteIn):
    return site_json(services.create_site(user, **body.model_dump())), 201


@api_route("/vehicles", roles=STAFF, query=VehicleQuery, response=list, tags=TAGS,
           summary="List the vehicles, by plate, a page at a time (Link: rel=next)")
def list_vehicles(user, query: VehicleQuery):
    # the site and the photos of the page's vehicles in two more queries, not two per vehicle
    page = lists.vehicle_page(user, lists.VehicleFilters(
        kind=query.kind, site_id=query.site_id, status=query.status, q=query.q),
        cursor=query.cursor, limit=query.limit, photos=True)
    return page_response(page, [vehicle_json(v) for v in page])


@api_route("/vehicles", methods=("POST",), roles=FLEET, body=VehicleIn, status=201,
           summary="Add a vehicle", tags=TAGS)
def create_vehicle(user, body: VehicleIn):
    return vehicle_json(services.create_vehicle(user, **body.model_dump())), 201


@api_route("/vehicles/<int:vehicle_id>", roles=STAFF, summary="One vehicle", tags=TAGS)
def get_vehicle(user, vehicle_id: int):
    return vehicle_json(get_or_404(Vehicle, vehicle_id, user))


@api_route("/vehicles/<int:vehicle_id>", methods=("PATCH",), roles=FLEET, body=VehiclePatch,
           summary="Change a vehicle (immobilising answers the broken rentals)", tags=TAGS)
def patch_vehicle(user, vehicle_id: int, body: VehiclePatch):
    vehicle = get_or_404(Vehicle, vehicle_id, user, action="edit")
    fields = body.model_dump(exclude_unset=True)
    impact = None
    if fields.get("status") == "immobilised":
        fields.pop("status")
        if fields:
            services.update_vehicle(user, vehicle, **fields)
        impact = services.immobilise_vehicle(user, vehicle)
    else:
        services.update_vehicle(user, vehicle, **fields)
    out = vehicle_json(vehicle)
    if impact is not None:
        out["broken_rentals"] = _impact_json(impact)
    return out


def _impact_json(impact: list[dict]) -> list[dict]:
    return [{"rental": rental_json(item["rental"]),
             "replacements": [vehicle_json(v) for v in item["replacements"]]} for item in impact]


@api_route("/vehicles/<int:vehicle_id>/immobilise", methods=("POST",), roles=FLEET,
           body=ImmobiliseIn, summary="Immobilise a vehicle; lists broken rentals and "
           "replacement vehicles", tags=TAGS)
def immobilise(user, vehicle_id: int, body: ImmobiliseIn):
    vehicle = get_or_404(Vehicle, vehicle_id, user, action="edit")
    impact = services.immobilise_vehicle(user, vehicle, reason=body.reason)
    return {"vehicle": vehicle_json(vehicle), "broken_rentals": _impact_json(impact)}


@api_route("/maintenance", roles=FLEET, summary="Maintenance jobs due soon", tags=TAGS)
def maintenance_list(user):
    return [job_json(j) for j in services.maintenance_due(user.platform_id)]


@api_route("/vehicles/<int:vehicle_id>/maintenance", methods=("POST",), roles=FLEET,
           body=MaintenanceIn, status=201, summary="Plan a maintenance job", tags=TAGS)
def maintenance_create(user, vehicle_id: int, body: MaintenanceIn):
    vehicle = get_or_404(Vehicle, vehicle_id, user, action="edit")
    return job_json(services.create_maintenance_job(user, vehicle, **body.model_dump())), 201


@api_route("/maintenance/<int:job_id>/complete", methods=("POST",), roles=FLEET,
           body=MaintenanceDoneIn, summary="Close a maintenance job", tags=TAGS)
def maintenance_complete(user, job_id: int, body: MaintenanceDoneIn):
    job = get_or_404(MaintenanceJob, job_id, user, action="edit")
    return job_json(services.complete_maintenance_job(user, job, **body.model_dump()))


@api_route("/availability", roles=STAFF, query=AvailabilityQuery,
           summary="Vehicles free for a whole period, or the nearest alternatives", tags=TAGS)
def availability(user, query: AvailabilityQuery):
    result = services.search_availability(
        user.platform_id, start=query.start, end=query.end, kind=query.kind,
        site_id=_site_id_of_platform(user, query.site_id))
    alt = result["alternatives"]
    return {
        "start": query.start.isoformat(), "end": query.end.isoformat(),
        "vehicles": [vehicle_json(v) for v in result["vehicles"]],
        "alternatives": {
            "other_sites": [vehicle_json(v) for v in alt["other_sites"]],
            "other_kinds": [vehicle_json(v) for v in alt["other_kinds"]],
            "later": [{"vehicle": vehicle_json(v), "first_free_date": d.isoformat()}
                      for v, d in alt["later"]],
        },
    }



# the other endpoints, by area
