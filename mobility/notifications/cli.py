"""`flask --app mobility notifications send`: send the due outbox messages now."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from mobility.notifications.outbox import send_due_messages

notifications_cli = AppGroup("notifications", help="The outbox of e-mails and SMS.")


@notifications_cli.command("send")
def send() -> None:
    """Send every due message of the outbox now (the scheduler does it every minute)."""
    click.echo(str(send_due_messages()))


def register(app: Flask) -> None:
    app.cli.add_command(notifications_cli)
