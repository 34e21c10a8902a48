"""The rental's lifecycle.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.rentals import demo

#: adds the feature's part of the demo platform (`flask demo load`)
load_demo = demo.load


def init_app(app: Flask) -> None:
    """Nothing to register: the feature is its tables (imported above, for the migrations)."""
