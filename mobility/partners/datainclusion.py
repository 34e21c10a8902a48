"""The platform's offer published in the data·inclusion schema (v1): one *structure* per
platform and one *service* per offer, themed with the schema's `mobilite--*` codes.

Only what admins chose to publish appears; nothing about a person is ever read here (the
functions below read `published_structures`, `published_services` and `platforms` only).
Reference: https://www.data.inclusion.beta.gouv.fr/schemas-de-donnees-de-loffre
(package `data-inclusion-schema`, `data_inclusion.schema.v1.Structure` / `.Service`).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import jsonify
from sqlalchemy import select

from mobility.audit.services import record_audit
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.core.translations import lazy_gettext as _l
from mobility.partners.models import PublishedService, PublishedStructure
from mobility.partners.settings import setting
from mobility.platforms.models import Platform


@dataclass(frozen=True)
class Offer:
    code: str
    label: Any
    kind: str  # data·inclusion TypeService
    thematiques: tuple[str, ...]
    name: str  # default published name (French: data·inclusion is read in French)
    description: str


#: The platform's offers, each published as one service (names and descriptions are the
#: defaults an admin edits; they are published data, in French).
OFFERS: dict[str, Offer] = {o.code: o for o in (
    Offer("assessment", _l("Mobility assessment"), "accompagnement",
          ("mobilite--etre-accompagne-dans-son-parcours-mobilite",),
          "Bilan de compétences mobilité",
          "Un conseiller mobilité fait le point avec la personne sur ses déplacements vers "
          "l’emploi ou la formation : capacités, permis, moyens disponibles, budget, et lui "
          "propose des solutions adaptées."),
    Offer("coaching", _l("Mobility coaching"), "accompagnement",
          ("mobilite--etre-accompagne-dans-son-parcours-mobilite",
           "mobilite--financer-ma-mobilite"),
          "Accompagnement individuel à la mobilité",
          "Suivi individuel pendant le parcours : aides financières à la mobilité, "
          "préparation des trajets, point régulier avec le référent de la personne."),
    Offer("workshop", _l("Mobility workshops"), "atelier",
          ("mobilite--etre-accompagne-dans-son-parcours-mobilite",
           "mobilite--mobilite-douce-partagee-collective"),
          "Ateliers mobilité",
          "Ateliers collectifs : lire un plan de transport, préparer un trajet, remise en "
          "selle à vélo, code de la route."),
    Offer("bike_rental", _l("Bike rentals"), "aide-materielle",
          ("mobilite--acceder-a-un-vehicule", "mobilite--mobilite-douce-partagee-collective"),
          "Location solidaire de vélos",
          "Location de vélos à tarif solidaire pour se rendre au travail ou en formation, "
          "avec antivol et entretien compris."),
    Offer("ebike_rental", _l("E-bike rentals"), "aide-materielle",
          ("mobilite--acceder-a-un-vehicule", "mobilite--mobilite-douce-partagee-collective"),
          "Location solidaire de vélos à assistance électrique",
          "Location de vélos à assistance électrique à tarif solidaire, avec batterie, "
          "chargeur et antivol."),
    Offer("moped_rental", _l("Moped rental"), "aide-materielle",
          ("mobilite--acceder-a-un-vehicule",),
          "Location solidaire de scooters",
          "Location de scooters 50 cm³ à tarif solidaire, casque fourni, pour les personnes "
          "titulaires du permis AM ou B."),
    Offer("car_rental", _l("Car rentals"), "aide-materielle",
          ("mobilite--acceder-a-un-vehicule", "mobilite--financer-ma-mobilite"),
          "Location solidaire de voitures",
          "Location de voitures à tarif solidaire pour une reprise d’emploi, avec un plan "
          "progressif vers une solution durable."),
    Offer("carpool", _l("Carpool"), "information",
          ("mobilite--mobilite-douce-partagee-collective",),
          "Mise en relation pour le covoiturage",
          "Mise en relation avec des covoitureurs allant vers la même zone d’emploi."),
    Offer("minibus", _l("Minibus"), "aide-materielle",
          ("mobilite--mobilite-douce-partagee-collective",),
          "Transport en minibus vers l’emploi",
          "Transport collectif en minibus vers les zones d’activité mal desservies, aux "
          "horaires des équipes."),
)}

PUBLICS = ("tous-publics", "actifs", "beneficiaires-des-minimas-sociaux", "demandeurs-emploi",
           "etudiants", "familles", "femmes", "jeunes", "personnes-en-situation-de-handicap",
           "residents-qpv-frr", "seniors")
DEFAULT_PUBLICS = ["demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "jeunes",
                   "actifs"]
FEES = ("gratuit", "payant")


# -- the records and their edits ------------------------------------------------------------

def structure_of(platform: Platform) -> PublishedStructure:
    """The platform's published structure (created unpublished on first use)."""
    row = db.session.scalar(select(PublishedStructure).where(
        PublishedStructure.platform_id == platform.id))
    if row is None:
        row = PublishedStructure(platform_id=platform.id, name=platform.name[:150],
                                 published=False, updated_on=local_today())
        db.session.add(row)
        db.session.flush()
    return row


def services_of(platform: Platform) -> list[PublishedService]:
    """One row per offer (missing ones created unpublished with the defaults)."""
    rows = {r.offer: r for r in db.session.scalars(select(PublishedService).where(
        PublishedService.platform_id == platform.id))}
    for code, offer in OFFERS.items():
        if code not in rows:
            rows[code] = PublishedService(
                platform_id=platform.id, offer=code, published=False, name=offer.name,
                description=offer.description, fees="payant" if "rental" in code else
                "gratuit", audiences=list(DEFAULT_PUBLICS), updated_on=local_today())
            db.session.add(rows[code])
    db.session.flush()
    return [rows[code] for code in OFFERS]


_POSTCODE = re.compile(r"^\d{5}$")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_ZONE = re.compile(r"^(france|\d{2,3}|2[AB]|\d{5}|2[AB]\d{3}|\d{9})$")


def _text(values: dict, name: str, limit: int) -> str | None:
    value = values.get(name)
    value = str(value).strip() if value is not None else ""
    return value[:limit] or None


def _name_problem(name: str | None):
    """What the schema refuses in a structure's or a service's name, or None."""
    if not name or len(name) < 3:
        return _l("Give a name of 3 to 150 characters.")
    if name.endswith("."):
        return _l("The name must not end with a full stop.")
    return None


def update_structure(actor, values: dict[str, Any]) -> PublishedStructure:
    """Change what the platform publishes about itself (admins)."""
    platform = db.session.get(Platform, actor.platform_id)
    row = structure_of(platform)
    errors: dict[str, Any] = {}
    name = _text(values, "name", 150)
    if problem := _name_problem(name):
        errors["name"] = problem
    postcode = _text(values, "postcode", 5)
    if postcode and not _POSTCODE.match(postcode):
        errors["postcode"] = _l("A postcode has 5 digits.")
    insee = _text(values, "insee_code", 5)
    if insee and not _INSEE.match(insee):
        errors["insee_code"] = _l("An INSEE municipality code has 5 characters.")
    email = _text(values, "email", 254)
    if email and "@" not in email:
        errors["email"] = _l("Enter a valid e-mail address.")
    website = _text(values, "website", 500)
    if website and not website.startswith(("https://", "http://")):
        errors["website"] = _l("Give a full web address, starting with https://.")
    published = bool(values.get("published"))
    if published and not platform.siret:
        errors["published"] = _l("Record the platform's SIRET before publishing.")
    if errors:
        raise ValidationFailed(details=errors)
    row.name, row.postcode, row.insee_code, row.email, row.website = (
        name, postcode, insee, email, website)
    row.description = _text(values, "description", 10000)
    row.address = _text(values, "address", 255)
    row.address_complement = _text(values, "address_complement", 255)
    row.city = _text(values, "city", 100)
    row.phone = _text(values, "phone", 32)
    row.opening_hours = _text(values, "opening_hours", 255)
    for coordinate in ("latitude", "longitude"):
        value = values.get(coordinate)
        setattr(row, coordinate, float(value) if value not in (None, "") else None)
    row.published = published
    row.updated_on = local_today()
    record_audit(actor, "update", object_type="PublishedStructure", object_id=row.id,
                 fields=sorted(values))
    db.session.commit()
    clear_cache()
    return row


def _audiences_problem(audiences: list) -> Any:
    """What the schema refuses in a service's audiences, or None."""
    if not audiences or any(a not in PUBLICS for a in audiences):
        return _l("Choose at least one audience.")
    if "tous-publics" in audiences and len(audiences) > 1:
        return _l("“All audiences” cannot be combined with another audience.")
    return None


def _service_problems(*, name: str | None, description: str | None, fees: Any,
                      audiences: list, zone: list[str]) -> dict[str, Any]:
    """The fields of a published service the schema refuses, with the reason."""
    errors: dict[str, Any] = {}
    if problem := _name_problem(name):
        errors["name"] = problem
    if not description or len(description) < 5:
        errors["description"] = _l("Describe the service (at least 5 characters).")
    if fees is not None and fees not in FEES:
        errors["fees"] = _l("This value is not one of the allowed choices.")
    if problem := _audiences_problem(audiences):
        errors["audiences"] = problem
    if any(not _ZONE.match(z) for z in zone):
        errors["eligibility_zone"] = _l(
            "Use département codes (06), municipality codes (06088) or “france”, separated "
            "by commas.")
    return errors


def update_service(actor, service: PublishedService, values: dict[str, Any]
                   ) -> PublishedService:
    """Change one published service (admins)."""
    name = _text(values, "name", 150)
    description = _text(values, "description", 10000)
    fees = values.get("fees") or None
    audiences = list(values.get("audiences") or [])
    zone = [z.strip() for z in re.split(r"[,\s]+", str(values.get("eligibility_zone") or ""))
            if z.strip()]
    errors = _service_problems(name=name, description=description, fees=fees,
                               audiences=audiences, zone=zone)
    if errors:
        raise ValidationFailed(details=errors)
    service.name, service.description, service.fees = name, description, fees
    service.fees_details = _text(values, "fees_details", 500)
    service.audiences = audiences
    service.audiences_details = _text(values, "audiences_details", 1000)
    service.access_conditions = _text(values, "access_conditions", 1000)
    service.referral_details = _text(values, "referral_details", 1000)
    service.eligibility_zone = zone or None
    service.published = bool(values.get("published"))
    service.updated_on = local_today()
    record_audit(actor, "update", object_type="PublishedService", object_id=service.id,
                 fields=sorted(values))
    db.session.commit()
    clear_cache()
    return service


# -- the feeds --------------------------------------------------------------------------------

def _structure_id(platform: Platform) -> str:
    return f"{setting('DATA_INCLUSION_SOURCE')}--{platform.slug}"


def _published_structures() -> list[tuple[Platform, PublishedStructure]]:
    return list(db.session.execute(
        select(Platform, PublishedStructure)
        .join(PublishedStructure, PublishedStructure.platform_id == Platform.id)
        .where(PublishedStructure.published.is_(True), Platform.siret.is_not(None))
        .order_by(Platform.id)).all())


def structure_json(platform: Platform, row: PublishedStructure) -> dict[str, Any]:
    """One structure in the data·inclusion v1 shape."""
    return {
        "source": setting("DATA_INCLUSION_SOURCE"),
        "id": _structure_id(platform),
        "nom": row.name,
        "date_maj": row.updated_on.isoformat(),
        "description": row.description,
        "lien_source": setting("PUBLIC_BASE_URL").rstrip("/") + "/",
        "siret": platform.siret,
        "commune": row.city,
        "code_postal": row.postcode,
        "code_insee": row.insee_code,
        "adresse": row.address,
        "complement_adresse": row.address_complement,
        "longitude": row.longitude,
        "latitude": row.latitude,
        "telephone": row.phone,
        "courriel": row.email,
        "site_web": row.website,
        "horaires_accueil": row.opening_hours,
        "accessibilite_lieu": None,
        "reseaux_porteurs": None,
    }


def service_json(platform: Platform, structure: PublishedStructure,
                 service: PublishedService) -> dict[str, Any]:
    """One service in the data·inclusion v1 shape: who may be referred and how."""
    offer = OFFERS[service.offer]
    base = setting("PUBLIC_BASE_URL").rstrip("/")
    return {
        "source": setting("DATA_INCLUSION_SOURCE"),
        "structure_id": _structure_id(platform),
        "id": f"{_structure_id(platform)}--{service.offer.replace('_', '-')}",
        "nom": service.name,
        "description": service.description,
        "lien_source": base + "/",
        "date_maj": service.updated_on.isoformat(),
        "type": offer.kind,
        "thematiques": list(offer.thematiques),
        "frais": service.fees,
        "frais_precisions": service.fees_details,
        "publics": service.audiences or ["tous-publics"],
        "publics_precisions": service.audiences_details,
        "conditions_acces": service.access_conditions,
        "commune": structure.city,
        "code_postal": structure.postcode,
        "code_insee": structure.insee_code,
        "adresse": structure.address,
        "complement_adresse": structure.address_complement,
        "longitude": structure.longitude,
        "latitude": structure.latitude,
        "telephone": structure.phone,
        "courriel": structure.email,
        "modes_accueil": ["en-presentiel"],
        "zone_eligibilite": service.eligibility_zone,
        "contact_nom_prenom": None,
        "lien_mobilisation": base + "/login",
        "modes_mobilisation": ["utiliser-lien-mobilisation", "envoyer-un-courriel",
                               "telephoner"],
        "mobilisable_par": ["professionnels"],
        "mobilisation_precisions": service.referral_details,
        "volume_horaire_hebdomadaire": None,
        "nombre_semaines": None,
        "horaires_accueil": structure.opening_hours,
    }


def structures_feed() -> list[dict[str, Any]]:
    return [structure_json(p, s) for p, s in _published_structures()]


def services_feed() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for platform, structure in _published_structures():
        services = db.session.scalars(select(PublishedService).where(
            PublishedService.platform_id == platform.id, PublishedService.published.is_(True)))
        items.extend(service_json(platform, structure, s)
                     for s in sorted(services, key=lambda s: list(OFFERS).index(s.offer)))
    return items


_cache: dict[str, tuple[float, list]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget the cached feeds (after an admin's edit in this process)."""
    with _cache_lock:
        _cache.clear()


def cached_response(kind: str):
    """The feed as JSON, cached in the process and by clients for DATA_INCLUSION_CACHE_S."""
    ttl = setting("DATA_INCLUSION_CACHE_S")
    key = f"{db.engine.url}:{kind}"
    with _cache_lock:
        hit = _cache.get(key)
    if hit is None or hit[0] < time.monotonic():
        items = structures_feed() if kind == "structures" else services_feed()
        hit = (time.monotonic() + ttl, items)
        with _cache_lock:
            _cache[key] = hit
    response = jsonify(hit[1])
    response.headers["Cache-Control"] = f"public, max-age={ttl}"
    return response
