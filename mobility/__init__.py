"""The mobility platform's web application (`flask --app mobility`)."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings from the environment, overridden by `config`."""
    # lazy: `import mobility`, which any import of `mobility.core` runs first, must not load
    # every feature (fleet/ -> mobility.core -> the features -> fleet/ would be a cycle)
    from mobility.app import create_app as build

    return build(config)
