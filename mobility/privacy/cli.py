"""`flask privacy ...`: run the retention jobs by hand; settings checked at start-up."""

from __future__ import annotations

import click
from flask import Flask

from mobility.privacy import services


def register(app: Flask) -> None:
    """Check the retention settings (refuse to start when out of range), add the commands."""
    with app.app_context():
        services.check_settings()
    group = click.Group("privacy", help="Personal data: retention jobs.")

    @group.command("anonymise-inactive")
    def anonymise_inactive_command() -> None:
        """Anonymise the files without contact for RETENTION_INACTIVE_DAYS."""
        click.echo(f"{services.anonymise_inactive()} file(s) anonymised")

    @group.command("purge-audit")
    def purge_audit_command() -> None:
        """Delete access-log entries older than AUDIT_RETENTION_DAYS."""
        click.echo(f"{services.purge_audit_log()} audit event(s) deleted")

    app.cli.add_command(group)
