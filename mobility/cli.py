"""Command-line tools: `flask --app mobility platforms|users|demo|translations ...`."""

from __future__ import annotations

import click
import phonenumbers
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from mobility.auth.services import create_user
from mobility.core.db import db
from mobility.core.errors import DomainError, ValidationFailed
from mobility.core.roles import ROLES
from mobility.core.translations import lazy_gettext as _l
from mobility.demo import DEMO_ACCOUNTS, load_demo
from mobility.i18n import compile_catalogs, in_both_languages
from mobility.platforms.models import Platform
from mobility.platforms.services import set_lender_identity

platforms_cli = AppGroup("platforms", help="Manage platforms (tenants).")
users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
translations_cli = AppGroup("translations", help="Translation catalogs.")


def _fail(error: DomainError) -> None:
    messages = in_both_languages(error.message)
    details = error.details or {}
    lines = [messages["fr"], messages["en"]] + [
        f"  {field}: {in_both_languages(msg)['fr']} / {in_both_languages(msg)['en']}"
        for field, msg in (details.items() if isinstance(details, dict) else [])
    ]
    raise click.ClickException("\n".join(lines))


def create_platform(slug: str, name: str, country: str = "FR") -> Platform:
    """Create a platform; the slug is its short, unique name; `country` (ISO 3166) is where
    phone numbers typed without a country code belong."""
    slug = slug.strip().lower()
    if not slug or not slug.replace("-", "").isalnum():
        raise ValidationFailed(details={"slug": _l("Use lowercase letters, digits and dashes.")})
    if db.session.scalar(select(Platform).where(Platform.slug == slug)):
        raise ValidationFailed(details={"slug": _l("A platform with this slug already exists.")})
    country = (country or "FR").strip().upper()
    if country not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationFailed(details={"country": _l("Give a country code of two letters, "
                                                      "e.g. FR, MC, BE.")})
    platform = Platform(slug=slug, name=name.strip() or slug, country=country)
    db.session.add(platform)
    db.session.commit()
    return platform


@platforms_cli.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--country", default="FR", show_default=True,
              help="ISO country of national phone numbers (FR, MC, BE, RE...)")
def platforms_create(slug: str, name: str, country: str) -> None:
    """Create a platform."""
    try:
        platform = create_platform(slug, name, country)
    except DomainError as error:
        _fail(error)
    click.echo(f"platform {platform.slug} created (id {platform.id})")


@platforms_cli.command("identity")
@click.option("--slug", required=True)
@click.option("--legal-name", required=True, help="the association, lender on the contracts")
@click.option("--address", required=True)
@click.option("--siret", required=True)
def platforms_identity(slug: str, legal_name: str, address: str, siret: str) -> None:
    """Set the lender named on the provision contracts."""
    platform = db.session.scalar(select(Platform).where(Platform.slug == slug))
    if platform is None:
        raise click.ClickException(f"no platform {slug}")
    try:
        set_lender_identity(platform, legal_name=legal_name, address=address, siret=siret)
    except DomainError as error:
        _fail(error)
    click.echo(f"platform {platform.slug}: lender {platform.legal_name}, SIRET {platform.siret}")


@platforms_cli.command("list")
def platforms_list() -> None:
    for platform in db.session.scalars(select(Platform).order_by(Platform.slug)):
        click.echo(f"{platform.id}\t{platform.slug}\t{platform.name}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--platform", "platform_slug", required=True, help="platform slug")
@click.option("--organisation", "organisation_id", type=int, default=None,
              help="partner organisation id (prescribers)")
@click.option("--name", "full_name", default="")
def users_create(email, password, role, platform_slug, organisation_id, full_name) -> None:
    """Create a user account."""
    platform = db.session.scalar(select(Platform).where(Platform.slug == platform_slug))
    if platform is None:
        raise click.ClickException(
            f"Plateforme inconnue : {platform_slug}\nUnknown platform: {platform_slug}"
        )
    try:
        user = create_user(email=email, password=password, role=role, platform_id=platform.id,
                           organisation_id=organisation_id, full_name=full_name)
    except DomainError as error:
        _fail(error)
    click.echo(f"user {user.email} ({user.role}) created on {platform.slug}")


@demo_cli.command("load")
def demo_load() -> None:
    """Load (idempotently) the demo platform around Monaco and its neighbouring communes."""
    platform = load_demo()
    click.echo(f"demo platform '{platform.slug}' ready. Demo logins:")
    for email, password, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:14} {email:38} {password}")


@translations_cli.command("compile")
def translations_compile() -> None:
    """Compile the .po catalogs into .mo files."""
    click.echo(f"{compile_catalogs()} catalog(s) compiled")


def register_cli(app: Flask) -> None:
    for group in (platforms_cli, users_cli, demo_cli, translations_cli):
        app.cli.add_command(group)
