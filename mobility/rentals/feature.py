"""The rental's lifecycle.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.people import signals as people_signals
from mobility.rentals import demo, lifecycle

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def _reprice(actor, *, person) -> None:
    lifecycle.situation_changed(actor, person)


def init_app(app: Flask) -> None:
    """Reprice a person's rentals when their situation changes (the people feature's signal;
    blinker keeps one connection however many apps are built)."""
    people_signals.situation_changed.connect(_reprice)
