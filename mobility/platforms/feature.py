"""Platforms: the tenants of the installation.

What the feature adds to the app: `mobility.app.create_app` calls its `init_app`.
"""

from __future__ import annotations

from flask import Flask

from mobility.platforms import models  # noqa: F401  (its tables)

load_demo = None


def init_app(app: Flask) -> None:
    """Nothing to register: the feature is its tables (imported above, for the migrations)."""
