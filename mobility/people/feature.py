"""Referrals, beneficiary files, pathways, assessments, workshops.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.api import register_api
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, PRESCRIBER
from mobility.core.translations import lazy_gettext as _l
from mobility.people import (
    api,
    api_files,
    api_referrals,
    api_workshops,
    demo,
    models,  # noqa: F401  (its tables)
    views,
    views_admin,  # noqa: F401  (its pages are on views.bp)
    views_assessments,  # noqa: F401
    views_files,  # noqa: F401
    views_referrals,  # noqa: F401
    views_workshops,  # noqa: F401
)
from mobility.templating import add_menu, nav_item
from mobility.web.panels import add_panels

#: the feature's entries of the top navigation, in menu order
MENU = (
    nav_item("people.referrals", _l("Referrals"), {ADMIN, ADVISOR, PRESCRIBER}, group="person"),
    nav_item("people.beneficiaries", _l("Beneficiaries"), {ADMIN, ADVISOR}, group="person"),
    nav_item("people.workshops", _l("Workshops"), {ADMIN, ADVISOR}, group="person"),
    nav_item("people.organisations", _l("Partner organisations"), {ADMIN}, group="admin"),
    nav_item("people.my_file", _l("My file"), {BENEFICIARY}, group="self"),
)

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Register the feature's pages, API, commands, jobs, panels and menu entries."""
    app.register_blueprint(views.bp)
    register_api(app, api_referrals, api_files, api_workshops, api)
    add_panels(app, views)
    add_menu(app, *MENU)
