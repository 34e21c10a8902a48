"""Demo: SIRETs for the platform and its partners (fictitious numbers that pass the checksum),
a complete published structure and every service published to data·inclusion."""

from __future__ import annotations

from sqlalchemy import select

from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation
from mobility.partners import datainclusion

#: fictitious SIRETs (valid SIREN and SIRET checksums, not registered establishments)
DEMO_SIRETS = {
    "platform": "90000011800019",
    "France Travail Menton": "90000022500012",
    "Mission locale Pays de Menton": "90000033200016",
    "CCAS de Beausoleil": "90000044900018",
    "Département des Alpes-Maritimes – service RSA": "90000055500012",
    "Intérim Riviera": "90000066200016",
}

REFERRAL_DETAILS = ("Orientation par un prescripteur (France Travail, Mission locale, CCAS, "
                    "service RSA du Département) avec le formulaire d’orientation de la "
                    "plateforme, connexion avec ProConnect.")


def load(platform) -> None:
    """Idempotent: fills what is missing, never overwrites an admin's edits."""
    if not platform.siret:
        platform.siret = DEMO_SIRETS["platform"]
    for organisation in db.session.scalars(select(PartnerOrganisation).where(
            PartnerOrganisation.platform_id == platform.id)):
        if not organisation.siret and organisation.name in DEMO_SIRETS:
            organisation.siret = DEMO_SIRETS[organisation.name]
    structure = datainclusion.structure_of(platform)
    if not structure.published:
        structure.published = True
        structure.name = "Plateforme mobilité Riviera"
        structure.description = (
            "Plateforme de mobilité solidaire du pays mentonnais : bilans mobilité, "
            "accompagnement, ateliers et location de vélos, scooters et voitures pour "
            "l’accès à l’emploi et à la formation.")
        structure.address = "12 avenue de Verdun"
        structure.postcode = "06500"
        structure.city = "Menton"
        structure.insee_code = "06083"
        structure.latitude, structure.longitude = 43.7765, 7.5048
        structure.phone = "+33493000000"
        structure.email = "contact@demo.mobilite.fr"
        structure.website = "https://demo.mobilite.fr/"
        structure.opening_hours = "Mo-Fr 09:00-12:30,13:30-17:00; PH off"
        structure.updated_on = local_today()
    for service in datainclusion.services_of(platform):
        if not service.published:
            service.published = True
            service.eligibility_zone = ["06"]
            service.referral_details = REFERRAL_DETAILS
            service.access_conditions = ("Projet d’emploi ou de formation ; permis adapté au "
                                         "véhicule pour les locations motorisées.")
            if service.fees == "payant":
                service.fees_details = "Tarif solidaire selon les ressources."
    db.session.commit()
