"""Commute settings in `app.config` and the `flask commute status` command."""

from __future__ import annotations

import click

from mobility.commute.context import configure, routing_context
from mobility.commute.transit_lines import gtfs_path_for


def register(app) -> None:
    """Add the commute settings (from the environment) and the CLI commands."""
    configure(app)
    group = click.Group("commute", help="Commute checks (routing).")

    @group.command("status")
    def status():
        """Say which road network, geocoder and GTFS feed the app uses."""
        context = routing_context()
        click.echo(f"engine: {context.engine_kind}")
        if context.engine is None:
            click.echo(f"road network: NOT CONFIGURED ({context.engine_error})")
        else:
            click.echo(f"road network: {', '.join(context.engine.modes)}")
        click.echo("geocoder: " + ("ok" if context.geocoder is not None
                                    else f"NOT CONFIGURED ({context.geocoder_error})"))
        path = gtfs_path_for(None)
        click.echo(f"GTFS_PATH: {path or 'not set'}")

    app.cli.add_command(group)
