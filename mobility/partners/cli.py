"""`flask --app mobility webhooks send`: send the due webhook deliveries now."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from mobility.partners.webhooks import send_due_deliveries

webhooks_cli = AppGroup("webhooks", help="Signed webhooks to partners.")


@webhooks_cli.command("send")
def send() -> None:
    """Send every due webhook delivery now (the scheduler does it every minute)."""
    click.echo(str(send_due_deliveries()))


def register(app: Flask) -> None:
    app.cli.add_command(webhooks_cli)
