"""Demo people: referents, referrals and a dozen people at different stages of their pathway,
living in Beausoleil, Cap-d'Ail, Roquebrune-Cap-Martin, La Turbie and Èze, working in Monaco.

Idempotent: a person (or referral) already present is left as it is.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

from PIL import Image
from sqlalchemy import select

from mobility.auth.models import User
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.organisations.models import PartnerOrganisation, Referent
from mobility.pdf import Document
from mobility.people import grid, services
from mobility.people.documents import add_document
from mobility.people.models import (
    Beneficiary,
    CaseNote,
    MobilityAssessment,
    Pathway,
    PathwayAction,
    PersonDocument,
    ReferentFeedback,
    Referral,
    Workshop,
    WorkshopAttendance,
    WorkshopSession,
)
from mobility.people.scoring import score_assessment

ML = "Mission locale Pays de Menton"
FT = "France Travail Menton"
CCAS = "CCAS de Beausoleil"
RSA = "Département des Alpes-Maritimes – service RSA"
TEMP = "Intérim Riviera"

REFERENTS = (
    (ML, "Nadia", "Rossi", "Conseillère insertion", "referente@demo.mobilite.fr"),
    (FT, "Marc", "Olivieri", "Conseiller emploi", None),
    (CCAS, "Hélène", "Ferrand", "Travailleuse sociale", None),
    (RSA, "Samir", "Belkacem", "Référent RSA", None),
    (TEMP, "Laura", "Costa", "Chargée de recrutement", None),
)
OPERATORS = (("Garage solidaire de la Riviera", "social_garage"),
             ("Auto-école sociale du Pays mentonnais", "social_driving_school"))

#: answer sets for assessments (low, medium, good mobility)
LOW = {"modes_used": ["walk", "car_passenger"], "trips_alone": "familiar_only",
       "longest_trip": "town", "walking": "easy", "balance": "good", "perception": "good",
       "reads_map": "with_help", "reads_timetable": "no", "buys_ticket": "with_help",
       "orientation": "with_help", "rides_bike": "can_ride", "two_wheeler": "no",
       "licence_b": "no", "driving_experience": "none", "knows_network": "partial",
       "knows_fare_rights": "no", "budget": "tight", "equipment": ["phone_data"],
       "hours": "early_late", "children": "none", "health": "none"}
MEDIUM = {**LOW, "modes_used": ["walk", "bus"], "trips_alone": "anywhere",
          "reads_map": "yes", "reads_timetable": "with_help", "buys_ticket": "yes",
          "orientation": "yes", "two_wheeler": "some", "knows_fare_rights": "partial"}
GOOD = {**MEDIUM, "modes_used": ["walk", "bus", "train"], "longest_trip": "nearby_towns",
        "reads_timetable": "yes", "knows_network": "good", "knows_fare_rights": "yes",
        "budget": "enough", "equipment": ["phone_data", "transit_pass"]}
DRIVER = {**MEDIUM, "licence_b": "held", "driving_experience": "occasional",
          "hours": "early_late"}
DRIVER_EXIT = {**DRIVER, "driving_experience": "regular", "reads_timetable": "yes",
               "knows_network": "good", "knows_fare_rights": "yes", "budget": "enough"}
NIGHT = {**LOW, "hours": "night", "trips_alone": "with_help", "rides_bike": "no"}

# (first, last, birth, gender, home, workplace, employer, organisation, stage, extras)
PEOPLE = (
    ("Julien", "Moreau", date(1999, 4, 12), "male",
     "12 boulevard de la République, 06240 Beausoleil",
     "Place du Casino, 98000 Monaco", "Hôtel de Paris Monte-Carlo", ML, "assessed",
     {"answers": MEDIUM, "days_ago": 40, "user": "beneficiaire@demo.mobilite.fr",
      "obstacles": ["no_vehicle", "cost"], "contract_type": "fixed_term",
      "shift": (time(6, 0), time(14, 0)), "receives_rsa": True}),
    ("Sandrine", "Pastor", date(1986, 9, 3), "female",
     "20 avenue Aristide Briand, 06190 Roquebrune-Cap-Martin",
     "Avenue Pasteur, 98000 Monaco", "Centre hospitalier Princesse Grace", FT, "accepted",
     {"days_ago": 3, "obstacles": ["childcare", "no_vehicle"], "contract_type": "permanent"}),
    ("Mehdi", "Rahmani", date(2001, 1, 22), "male", "Avenue de Verdun, 06360 Èze",
     "Quai Antoine Ier, 98000 Monaco", "Yacht Club de Monaco", TEMP, "accepted",
     {"days_ago": 6, "obstacles": ["no_licence", "no_transit"], "contract_type": "temp_work"}),
    ("Chloé", "Giordano", date(1995, 6, 30), "female", "8 rue des Martyrs, 06240 Beausoleil",
     "Boulevard Albert Ier, 98000 Monaco", "Boulangerie du Port", CCAS, "assessed",
     {"answers": LOW, "days_ago": 30, "obstacles": ["digital", "cost"], "lives_in_qpv": True,
      "contract_type": "subsidised"}),
    ("Thomas", "Bianchi", date(1990, 11, 8), "male", "5 avenue du 3 Septembre, 06320 Cap-d'Ail",
     "Rue du Gabian, 98000 Monaco", "Blanchisserie de Fontvieille", FT, "assessed",
     {"answers": DRIVER, "days_ago": 20, "licence": date(2012, 5, 4),
      "obstacles": ["no_vehicle"], "contract_type": "fixed_term",
      "shift": (time(5, 0), time(12, 0))}),
    ("Fatou", "Diallo", date(1993, 2, 14), "female",
     "14 avenue de la Gare, 06190 Roquebrune-Cap-Martin",
     "Avenue Princesse Grace, 98000 Monaco", "Hôtel Fairmont Monte-Carlo", RSA, "assessed",
     {"answers": GOOD, "days_ago": 15, "obstacles": ["cost"], "receives_rsa": True,
      "contract_type": "fixed_term", "transit_night": True}),
    ("Paul", "Vial", date(1998, 8, 19), "male", "3 rue Comte de Cessole, 06320 La Turbie",
     "Port Hercule, 98000 Monaco", "Société des Bains de Mer", ML, "assessed",
     {"answers": {**MEDIUM, "rides_bike": "confident", "hours": "night"}, "days_ago": 12,
      "obstacles": ["no_transit"], "contract_type": "apprenticeship"}),
    ("Yasmine", "Chaabane", date(1979, 12, 1), "female",
     "Avenue Paul Doumer, 06190 Roquebrune-Cap-Martin",
     "Boulevard du Larvotto, 98000 Monaco", "Nettoyage Riviera Services", CCAS, "assessed",
     {"answers": NIGHT, "days_ago": 25, "has_disability": True,
      "obstacles": ["health", "no_transit"], "contract_type": "permanent",
      "shift": (time(22, 0), time(5, 0))}),
    ("Nicolas", "Lambert", date(1988, 3, 27), "male", "Route de la Turbie, 06320 La Turbie",
     "Rue du Gabian, 98000 Monaco", "Imprimerie Monégasque", RSA, "exited",
     {"answers": DRIVER, "exit_answers": DRIVER_EXIT, "days_ago": 150,
      "licence": date(2008, 10, 2), "obstacles": ["no_vehicle", "cost"],
      "exit": ("solution_found", "own_car", "permanent"), "contract_type": "fixed_term"}),
    ("Élodie", "Martinez", date(1997, 7, 9), "female", "Avenue de Verdun, 06360 Èze",
     "Place du Casino, 98000 Monaco", "Café de Paris", FT, "exited",
     {"answers": LOW, "exit_answers": GOOD, "days_ago": 120, "obstacles": ["no_transit"],
      "exit": ("solution_found", "public_transport", "fixed_term"),
      "contract_type": "fixed_term"}),
    ("Karima", "Saïdi", date(1992, 5, 16), "female",
     "Avenue du Général de Gaulle, 06240 Beausoleil",
     "Avenue Princesse Grace, 98000 Monaco", "Intérim Riviera (missions)", TEMP, "exited",
     {"answers": MEDIUM, "exit_answers": {**MEDIUM, "licence_b": "held",
                                          "driving_experience": "occasional"},
      "days_ago": 200, "obstacles": ["no_licence"], "partner": "social_driving_school",
      "exit": ("solution_found", "licence_obtained", "temp_work"), "contract_type": "temp_work"}),
)

# referrals that are not (yet) files: (first, last, birth, org, reason, status, decline reason)
REFERRALS_ONLY = (
    ("Amina", "Haddad", date(2003, 10, 5), ML, "job_found", "submitted", None),
    ("Lucas", "Ferrero", date(1985, 1, 11), FT, "interview", "submitted", None),
    ("Kevin", "Marchetti", date(1996, 4, 2), TEMP, "job_search", "declined",
     "Habite hors du territoire de la plateforme (Nice) : orienté vers la plateforme niçoise."),
)


def _org(platform, name: str, kind: str | None = None) -> PartnerOrganisation:
    org = db.session.scalar(select(PartnerOrganisation).where(
        PartnerOrganisation.platform_id == platform.id, PartnerOrganisation.name == name))
    if org is None:
        org = PartnerOrganisation(platform_id=platform.id, name=name, kind=kind or "other")
        db.session.add(org)
        db.session.flush()
    return org


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _referents(platform) -> dict[str, Referent]:
    out = {}
    for org_name, first, last, title, email in REFERENTS:
        org = _org(platform, org_name)
        referent = db.session.scalar(select(Referent).where(
            Referent.organisation_id == org.id, Referent.last_name == last))
        if referent is None:
            user = db.session.scalar(select(User).where(User.email == email)) if email else None
            referent = Referent(platform_id=platform.id, organisation_id=org.id,
                                first_name=first, last_name=last, job_title=title,
                                email=email or f"{first.lower()}.{last.lower()}@partenaire.example",
                                phone="04 93 00 00 00", user_id=user.id if user else None)
            db.session.add(referent)
            db.session.flush()
        out[org_name] = referent
    return out


def _assess(platform, advisor, person, pathway, kind, answers, on: date) -> MobilityAssessment:
    scoring = grid.merged_scoring(None)
    result = score_assessment(answers, scoring, has_licence_b=True
                                   if person.has_licence_b else None)
    assessment = MobilityAssessment(
        platform_id=platform.id, beneficiary_id=person.id, pathway_id=pathway.id, kind=kind,
        assessed_on=on, assessor_id=advisor.id if advisor else None, answers=answers,
        sub_scores=result["sub_scores"], mobility_potential=result["mobility_potential"],
        ladder=result["ladder"], scoring=scoring)
    db.session.add(assessment)
    return assessment


def load(platform) -> None:
    """Create the demo people of `platform` (idempotent)."""
    now = local_today()
    advisor = db.session.scalar(select(User).where(User.email == "conseillere@demo.mobilite.fr"))
    prescriber = db.session.scalar(select(User).where(User.email == "referente@demo.mobilite.fr"))
    referents = _referents(platform)
    for name, kind in OPERATORS:
        _org(platform, name, kind)
    workshop, past_session = _demo_workshop(platform, now)
    for row in PEOPLE:
        first, last, birth = row[:3]
        if db.session.scalar(select(Beneficiary.id).where(
                Beneficiary.platform_id == platform.id, Beneficiary.first_name == first,
                Beneficiary.last_name == last, Beneficiary.birth_date == birth)):
            continue
        _demo_person(platform, row, now=now, advisor=advisor, prescriber=prescriber,
                     referent=referents[row[7]], workshop=workshop, past_session=past_session)
    for row in REFERRALS_ONLY:
        _demo_referral_only(platform, row, now=now, prescriber=prescriber, referents=referents)
    db.session.commit()
    _locate_files(platform)
    _documents(platform, advisor)


def _demo_workshop(platform, now: date) -> tuple[Workshop, WorkshopSession | None]:
    """The bus map workshop with a past and an upcoming session; returns it and the first."""
    workshop = db.session.scalar(select(Workshop).where(
        Workshop.platform_id == platform.id, Workshop.title == "Lire un plan de bus"))
    if workshop is None:
        workshop = Workshop(platform_id=platform.id, title="Lire un plan de bus",
                            description="Lignes, arrêts, horaires et tarifs du réseau.")
        db.session.add(workshop)
        db.session.flush()
        past = WorkshopSession(platform_id=platform.id, workshop_id=workshop.id,
                               starts_at=_at(now - timedelta(days=10), 8), capacity=8,
                               location="Plateforme mobilité, Beausoleil")
        upcoming = WorkshopSession(platform_id=platform.id, workshop_id=workshop.id,
                                   starts_at=_at(now + timedelta(days=7), 8), capacity=8,
                                   location="Plateforme mobilité, Beausoleil")
        db.session.add_all([past, upcoming])
        db.session.flush()
    past_session = db.session.scalar(select(WorkshopSession).where(
        WorkshopSession.workshop_id == workshop.id).order_by(WorkshopSession.starts_at))
    return workshop, past_session


def _demo_person(platform, row, *, now: date, advisor, prescriber, referent: Referent,
                 workshop: Workshop, past_session: WorkshopSession | None) -> None:
    """One demo person: their file, pathway and referral, then what their stage has done."""
    first, last, birth, gender, home, work, employer, org_name, stage, extra = row
    advisor_id = advisor.id if advisor else None
    opened = now - timedelta(days=extra["days_ago"])
    shift = extra.get("shift", (time(8, 0), time(17, 0)))
    person = _demo_file(platform, row, opened, referent, shift)
    db.session.add(person)
    db.session.flush()
    pathway = Pathway(platform_id=platform.id, beneficiary_id=person.id,
                      advisor_id=advisor_id, status="open", opened_on=opened)
    db.session.add(pathway)
    db.session.flush()
    db.session.add(Referral(
        platform_id=platform.id, organisation_id=referent.organisation_id,
        referent_id=referent.id,
        submitted_by_id=prescriber.id if prescriber and org_name == ML else None,
        first_name=first, last_name=last, birth_date=birth, gender=gender,
        phone=person.phone, email=person.email, address=home, reason="job_found",
        employer=employer, workplace_address=work, contract_type=person.contract_type,
        contract_start=person.contract_start, contract_end=person.contract_end,
        shift_start=shift[0], shift_end=shift[1], night_shifts=shift[0].hour >= 21,
        early_shifts=shift[0].hour < 6, obstacles=extra.get("obstacles"), consent=True,
        consent_at=_at(opened - timedelta(days=2)), status="accepted",
        decided_at=_at(opened), decided_by_id=advisor_id,
        beneficiary_id=person.id, pathway_id=pathway.id,
        created_at=_at(opened - timedelta(days=2))))
    if "answers" in extra:
        _demo_entry(platform, advisor, person, pathway, extra["answers"],
                    opened + timedelta(days=2))
    if extra.get("partner"):
        operator = _org(platform, next(n for n, k in OPERATORS if k == extra["partner"]))
        db.session.add(PathwayAction(
            platform_id=platform.id, pathway_id=pathway.id, kind="partner_referral",
            done_on=opened + timedelta(days=10), title="Préparation du permis B",
            partner_organisation_id=operator.id, author_id=advisor_id))
    if first in ("Chloé", "Julien") and past_session is not None:
        _demo_attended(platform, advisor_id, person, pathway, workshop, past_session)
    if stage == "exited":
        _demo_exit(platform, advisor, person, pathway, extra,
                   opened + timedelta(days=extra["days_ago"] - 20))
    db.session.flush()


def _demo_file(platform, row, opened: date, referent: Referent, shift) -> Beneficiary:
    """The demo person's file, as an advisor would have filled it in at the start."""
    first, last, birth, gender, home, work, employer, _org_name, stage, extra = row
    user = None
    if extra.get("user"):
        user = db.session.scalar(select(User).where(User.email == extra["user"]))
    person = Beneficiary(
        platform_id=platform.id, first_name=first, last_name=last, birth_date=birth,
        gender=gender, phone="06 12 34 56 78",
        email=f"{first.lower()}.{last.lower()}@exemple.fr".replace("é", "e").replace("ï", "i"),
        address=home, receives_rsa=extra.get("receives_rsa", False),
        lives_in_qpv=extra.get("lives_in_qpv", False),
        resources_band="under_600" if extra.get("receives_rsa") else "600_1000",
        has_disability=extra.get("has_disability", False),
        obstacles=extra.get("obstacles"), has_licence_b=bool(extra.get("licence")),
        licence_b_since=extra.get("licence"), employment_kind="job", employer=employer,
        workplace_address=work, contract_type=extra.get("contract_type"),
        contract_start=opened + timedelta(days=7),
        contract_end=None if extra.get("contract_type") == "permanent"
        else opened + timedelta(days=190),
        shift_start=shift[0], shift_end=shift[1],
        membership_date=opened if stage != "accepted" else None,
        membership_fee_paid=stage != "accepted", referent_id=referent.id,
        user_id=user.id if user else None,
    )
    return person


def _demo_entry(platform, advisor, person: Beneficiary, pathway: Pathway, answers,
                entry_on: date) -> None:
    """The entry assessment with its first meeting, feedback and coaching action."""
    advisor_id = advisor.id if advisor else None
    _assess(platform, advisor, person, pathway, "entry", answers, entry_on)
    db.session.add(CaseNote(
        platform_id=platform.id, beneficiary_id=person.id, pathway_id=pathway.id,
        author_id=advisor_id, kind="meeting", noted_on=entry_on,
        text="Premier entretien et bilan d'entrée. Très motivée, horaires à confirmer."))
    db.session.add(ReferentFeedback(
        platform_id=platform.id, pathway_id=pathway.id,
        author_id=advisor_id, sent_at=_at(entry_on, 16),
        summary="Bilan d'entrée réalisé ; un parcours mobilité est engagé."))
    db.session.add(PathwayAction(
        platform_id=platform.id, pathway_id=pathway.id, kind="coaching",
        done_on=entry_on + timedelta(days=3), title="Trajet accompagné jusqu'à Monaco",
        author_id=advisor_id))


def _demo_attended(platform, advisor_id: int | None, person: Beneficiary, pathway: Pathway,
                   workshop: Workshop, session: WorkshopSession) -> None:
    """The past workshop session attended, as a workshop action of the pathway."""
    action = PathwayAction(platform_id=platform.id, pathway_id=pathway.id,
                           kind="workshop", done_on=session.starts_at.date(),
                           title=workshop.title, workshop_session_id=session.id,
                           author_id=advisor_id)
    db.session.add(action)
    db.session.flush()
    db.session.add(WorkshopAttendance(
        platform_id=platform.id, session_id=session.id, beneficiary_id=person.id,
        status="attended", action_id=action.id))


def _demo_exit(platform, advisor, person: Beneficiary, pathway: Pathway, extra: dict,
               exit_on: date) -> None:
    """The exit assessment the day before the exit, and the exit's outcome."""
    _assess(platform, advisor, person, pathway, "exit", extra["exit_answers"],
            exit_on - timedelta(days=1))
    reason, solution, employment = extra["exit"]
    pathway.status = "exited"
    pathway.exit_date = exit_on
    pathway.exit_reason = reason
    pathway.exit_solution = solution
    pathway.exit_employment = employment


def _demo_referral_only(platform, row, *, now: date, prescriber, referents) -> None:
    """A referral not (yet) turned into a file: submitted or declined (idempotent)."""
    first, last, birth, org_name, reason, status, decline = row
    if db.session.scalar(select(Referral.id).where(
            Referral.platform_id == platform.id, Referral.first_name == first,
            Referral.last_name == last)):
        return
    referent = referents[org_name]
    created = now - timedelta(days=2 if status == "submitted" else 9)
    db.session.add(Referral(
        platform_id=platform.id, organisation_id=referent.organisation_id,
        referent_id=referent.id,
        submitted_by_id=prescriber.id if prescriber and org_name == ML else None,
        first_name=first, last_name=last, birth_date=birth, gender="unspecified",
        phone="06 98 76 54 32", address="Boulevard du Général Leclerc, 06240 Beausoleil",
        reason=reason, employer="Monaco Logistique" if reason != "job_search" else None,
        workplace_address="Rue du Gabian, 98000 Monaco",
        schedule="Du lundi au samedi, 6 h – 13 h", shift_start=time(6, 0),
        shift_end=time(13, 0), early_shifts=False, obstacles=["no_vehicle", "cost"],
        comment="Besoin d'une solution rapidement pour tenir le poste.", consent=True,
        consent_at=_at(created), status=status, created_at=_at(created),
        decline_reason=decline, decided_at=_at(created + timedelta(days=1))
        if status == "declined" else None))


def _demo_pdf(title: str, lines: list[str]) -> bytes:
    pdf = Document(title, footer_text="Document d'exemple (démonstration)")
    pdf.title_block(title, "Document d'exemple pour la démonstration")
    for line in lines:
        pdf.paragraph(line)
    return pdf.output_bytes()


def _demo_picture(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, format="PNG")
    return out.getvalue()


def _documents(platform, advisor) -> None:
    """Documents on two demo files (idempotent): a licence, a job promise expiring soon, a proof
    of address; an identity card about to expire."""
    now = local_today()
    plans = {
        ("Julien", "Moreau"): [
            ("driving_licence", None, date(2014, 4, 12), now + timedelta(days=400),
             _demo_picture((205, 225, 240))),
            ("employment_contract", "Promesse d'embauche, Hôtel de Paris", now - timedelta(days=40),
             now + timedelta(days=12), _demo_pdf("Promesse d'embauche", [
                 "L'Hôtel de Paris Monte-Carlo s'engage à embaucher Julien Moreau en CDD.",
                 "Horaires : 6 h – 14 h, du lundi au samedi."])),
            ("proof_of_address", None, now - timedelta(days=20), None,
             _demo_pdf("Facture d'électricité", ["12 boulevard de la République, 06240 "
                                                 "Beausoleil"])),
        ],
        ("Chloé", "Giordano"): [
            ("identity", None, now - timedelta(days=3650), now + timedelta(days=5),
             _demo_picture((230, 220, 200))),
        ],
    }
    for (first, last), documents in plans.items():
        person = db.session.scalar(select(Beneficiary).where(
            Beneficiary.platform_id == platform.id, Beneficiary.first_name == first,
            Beneficiary.last_name == last))
        if person is None or db.session.scalar(select(PersonDocument.id).where(
                PersonDocument.beneficiary_id == person.id).limit(1)):
            continue
        for kind, title, issued, expires, data in documents:
            add_document(advisor, person, kind=kind, title=title, issued_on=issued,
                         expires_on=expires, data=data, today=now)


def _locate_files(platform) -> None:
    """Geocode the demo files' home and work addresses (the real geocoder, when set up)."""
    for person in db.session.scalars(select(Beneficiary).where(
            Beneficiary.platform_id == platform.id,
            (Beneficiary.address_lat.is_(None) & Beneficiary.address.is_not(None))
            | (Beneficiary.workplace_lat.is_(None)
               & Beneficiary.workplace_address.is_not(None)))):
        services.locate(person, {"address", "workplace_address"})
    db.session.commit()
