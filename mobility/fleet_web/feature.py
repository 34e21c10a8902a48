"""Fleet pages and API (the web side of `fleet`).

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from fleet.services import common as fleet_hooks
from mobility.api import register_api
from mobility.audit.services import record_audit
from mobility.core.roles import STAFF
from mobility.core.translations import lazy_gettext as _l
from mobility.fleet_web import (
    api,
    api_rentals,
    api_rides,
    demo,
    models,
    views,
    views_rentals,  # noqa: F401  (its pages are on views.bp)
    views_rides,  # noqa: F401
)
from mobility.fleet_web.access import BOOKERS, FLEET
from mobility.templating import add_menu, nav_item
from mobility.web.panels import add_panels

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("fleet.availability", _l("Find a vehicle"), BOOKERS, group="fleet"),
    nav_item("fleet.vehicles", _l("Vehicles"), FLEET, group="fleet"),
    nav_item("fleet.returns", _l("Returns"), FLEET, group="fleet"),
    nav_item("fleet.maintenance", _l("Maintenance"), FLEET, group="fleet"),
    nav_item("fleet.carpool", _l("Carpool"), STAFF, group="fleet"),
    nav_item("fleet.minibus", _l("Minibus"), STAFF, group="fleet"),
)

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, panels and menu entries, and give the fleet services
    the audit log and the people (fleet/ imports only mobility.core)."""
    fleet_hooks.audit_hook = record_audit
    fleet_hooks.beneficiary_hook = models.beneficiary_on_platform
    app.register_blueprint(views.bp)
    register_api(app, api, api_rentals, api_rides)
    add_panels(app, views)
    add_menu(app, *MENU)
