"""`flask reports network-set SLUG --name NAME --head PLATFORM [--member PLATFORM...]`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from mobility.core.db import db
from mobility.platforms.models import Platform
from mobility.reports.models import ReportNetwork, ReportNetworkMember


def set_network(slug: str, name: str, head: str, members: list[str]) -> ReportNetwork:
    """Create or update a network: its name, head platform and members (platform slugs)."""
    platforms = {p.slug: p for p in db.session.scalars(
        select(Platform).where(Platform.slug.in_([head, *members])))}
    missing = sorted({head, *members} - set(platforms))
    if missing:
        raise click.ClickException(f"unknown platform(s): {', '.join(missing)}")
    network = db.session.scalar(select(ReportNetwork).where(ReportNetwork.slug == slug))
    if network is None:
        network = ReportNetwork(slug=slug, name=name, head_platform_id=platforms[head].id)
        db.session.add(network)
    network.name, network.head_platform_id = name, platforms[head].id
    db.session.flush()
    wanted = {platforms[s].id for s in {head, *members}}
    for member in list(network.members):
        if member.platform_id not in wanted:
            network.members.remove(member)
    db.session.flush()
    present = {m.platform_id for m in network.members}
    for platform_id in sorted(wanted - present):
        other = db.session.scalar(select(ReportNetworkMember).where(
            ReportNetworkMember.platform_id == platform_id))
        if other is not None:
            db.session.delete(other)
            db.session.flush()
        network.members.append(ReportNetworkMember(platform_id=platform_id))
    db.session.commit()
    return network


def register(app: Flask) -> None:
    group = click.Group("reports", help="Activity reports: networks of platforms.")

    @group.command("network-set")
    @click.argument("slug")
    @click.option("--name", required=True, help="Name of the network")
    @click.option("--head", required=True, help="Slug of the platform whose admins see it all")
    @click.option("--member", "members", multiple=True, help="Slug of a member platform")
    def network_set(slug: str, name: str, head: str, members: tuple[str, ...]) -> None:
        """Create or update a network of platforms."""
        network = set_network(slug, name, head, list(members))
        click.echo(f"network {network.slug}: {len(network.platform_ids)} platform(s)")

    app.cli.add_command(group)
