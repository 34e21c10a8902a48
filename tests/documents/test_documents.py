"""Documents: every PDF prints any name as written (read back with pypdf), the provision
contract states what binds the parties and, once signed, its trail; the état des lieux compares
check-out and check-in; the funders' PDF shows the page's figures in readable colours."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

import mobility.pdf as toolkit
from fleet.models import CHECKLISTS, Rental
from fleet.services import save_photo
from mobility.checkpoints.models import Checkpoint
from mobility.cli import set_lender_identity
from mobility.contracts.models import RentalContract
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.core.errors import ValidationFailed
from mobility.i18n import number
from mobility.platforms.models import Platform
from mobility.pricing.mileage import allowance_for
from tests.factories import create_platform, create_user, csrf_token_from, login
from tests.fleet.helpers import png_bytes
from tests.rentals.world import make_world

NAMES = [("Łukasz", "Wiśniewski"), ("Αθανάσιος", "Παπαδόπουλος"), ("Nguyễn Thị", "Hương")]
SIRET = "12345678200010"


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def identify(platform) -> None:
    set_lender_identity(platform, legal_name="Association Mobilité Côte d’Azur",
                        address="12 avenue de Verdun, 06500 Menton", siret=SIRET)


def handed_over(world, person, kind="car", **booking):
    vehicle = world.vehicle(kind, insurance_policy="AXA-778-21")
    rental_id = world.booked(person, vehicle, **booking)
    world.handed_over(rental_id, person, kind)
    return rental_id, vehicle


# -- the toolkit ---------------------------------------------------------------------------

def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_palette_meets_wcag_aa_contrast():
    """Table headings white on the accent, bodies ink on white or zebra: 4.5:1 at least
    (WCAG 2.1, 1.4.3); black on the accent would not be (the old bodies)."""
    for text, background in ((toolkit.WHITE, toolkit.ACCENT), (toolkit.INK, toolkit.WHITE),
                             (toolkit.INK, toolkit.ZEBRA), (toolkit.MUTED, toolkit.WHITE),
                             (toolkit.ACCENT, toolkit.WHITE)):
        assert contrast(text, background) >= 4.5, (text, background)
    assert contrast((0, 0, 0), toolkit.ACCENT) < 4.5


def test_missing_font_is_a_clear_error(sqlite_app, monkeypatch, tmp_path):
    monkeypatch.setitem(sqlite_app.config, "PDF_FONT_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="fonts-dejavu-core"):
        toolkit.Document("x")


def test_lender_identity_refuses_bad_input_and_changes_nothing(app):
    platform = create_platform()
    with pytest.raises(ValidationFailed) as error:
        set_lender_identity(platform, legal_name=" ", address="", siret="12345678200011")
    assert set(error.value.details) == {"legal_name", "address", "siret"}
    db.session.rollback()
    fresh = db.session.get(Platform, platform.id)
    assert fresh.legal_name is None and fresh.siret is None
    assert fresh.lender_name == fresh.name


# -- names outside Latin-1, in every PDF -------------------------------------------------------

@pytest.mark.parametrize(("first", "last"), NAMES)
def test_names_survive_in_every_pdf(app, client, first, last):
    world = make_world(client)
    world.platform.name = f"Mobilité {last}"
    identify(world.platform)
    person = world.person(first_name=first, last_name=last)
    rental_id, vehicle = handed_over(world, person)
    assert world.check_in(rental_id, "car", odometer_km=1150).status_code == 200
    full = f"{first} {last}"

    contract = world.get(f"/rentals/{rental_id}/contract.pdf")
    report = world.get(f"/rentals/{rental_id}/inspection-report.pdf", user=world.manager)
    login(client, world.advisor)
    export = client.get(f"/privacy/beneficiaries/{person.id}/export.pdf")
    activity = client.get(f"/reports/activity/export.pdf?start={local_today() - timedelta(days=30)}"
                          f"&end={local_today() + timedelta(days=1)}")
    for response in (contract, report, export, activity):
        assert response.status_code == 200, response.get_data()[:300]
    for response in (contract, report, export):
        assert full in pdf_text(response.get_data())
    assert f"Mobilité {last}" in pdf_text(activity.get_data())
    assert "?" not in squeeze(full)  # the old Latin-1 copies printed "?ukasz"


# -- the provision contract ------------------------------------------------------------------

def test_contract_states_parties_vehicle_papers_prices_and_rules(app, client):
    world = make_world(client)
    identify(world.platform)
    person = world.person(first_name="Łukasz", last_name="Wiśniewski")
    vehicle = world.vehicle("car", insurance_policy="AXA-778-21")
    rental_id = world.booked(person, vehicle, days=14)
    rental = db.session.get(Rental, rental_id)
    response = world.get(f"/rentals/{rental_id}/contract.pdf")
    assert response.status_code == 200
    pages = pages_of(response.get_data())
    text = "\n".join(pages)
    for expected in ("Association Mobilité Côte d’Azur", "12 avenue de Verdun, 06500 Menton",
                     SIRET, "Łukasz Wiśniewski", vehicle.plate, "AXA-778-21",
                     world.site.name, world.site.address,
                     "Contrôle technique", "Caution", "Échéances hebdomadaires",
                     "Le carburant ou la recharge sont à la charge du bénéficiaire",
                     "plein tarif journalier", "Pour le prêteur", "version 1"):
        assert expected in text, expected
    assert vehicle.insurance_expires_on.strftime("%d/%m/%Y") in text
    assert rental.start_date.strftime("%d/%m/%Y") in text
    assert "UTC" not in text and "EUR" not in text
    for index, page in enumerate(pages, start=1):
        assert f"page {index} / {len(pages)}" in page


def test_amie_first_month_covers_fuel_and_insurance(app, client):
    world = make_world(client)
    person = world.amie_person()
    vehicle = world.vehicle("car")
    rental_id = world.booked(person, vehicle, days=60, scheme="amie")
    text = pdf_text(world.get(f"/rentals/{rental_id}/contract.pdf").get_data())
    assert squeeze("Premier mois du plan progressif : la plateforme prend en charge le "
                   "carburant") in squeeze(text)
    assert "Échéances mensuelles" in text


def test_allowance_is_the_figure_the_checkpoints_apply(app, client):
    """One computation (rules.allowance_for): the contract's example over 5 working days is
    what a checkpoint 5 working days later allows."""
    world = make_world(client)
    person = world.person()
    vehicle = world.vehicle("car")
    rental_id = world.booked(person, vehicle, days=28)
    rental = db.session.get(Rental, rental_id)
    rental.daily_mileage_allowance_km = 36.4
    db.session.commit()
    world.handed_over(rental_id, person, "car")
    text = pdf_text(world.get(f"/rentals/{rental_id}/contract.pdf").get_data())
    assert "36,4 km par jour travaillé" in text
    monday = local_today() + timedelta(days=(7 - local_today().weekday()) % 7 or 7)
    recorded = world.post(f"/rentals/{rental_id}/checkpoints",
                          {"date": monday.isoformat(), "odometer_km": 1100})
    assert recorded.status_code == 201, recorded.get_json()
    checkpoint = db.session.query(Checkpoint).one()
    assert checkpoint.allowance_km == allowance_for(rental, checkpoint.working_days)
    assert squeeze(f"{number(allowance_for(rental, 5))} km pour 5 jours travaillés") \
        in squeeze(text)


def test_signed_copy_ends_on_the_trail_and_the_accepted_bytes_stay(app, client):
    world = make_world(client)
    identify(world.platform)
    person = world.person(first_name="Αθανάσιος", last_name="Παπαδόπουλος")
    vehicle = world.vehicle("scooter")
    rental_id = world.booked(person, vehicle)
    shown = world.get(f"/rentals/{rental_id}/contract").get_json()
    accepted_before = world.get(f"/rentals/{rental_id}/contract.pdf").get_data()
    assert "Trace de la signature" not in pdf_text(accepted_before)
    signed = world.post(f"/rentals/{rental_id}/contract/sign",
                        {"signer_name": person.full_name, "accepted": True,
                         "document_sha256": shown["sha256"]})
    assert signed.status_code == 200, signed.get_json()
    copy = world.get(f"/rentals/{rental_id}/contract.pdf")
    assert copy.headers["X-Content-SHA256"] == shown["sha256"]
    assert copy.headers["X-Signed-Copy-SHA256"] == hashlib.sha256(copy.get_data()).hexdigest()
    pages = pages_of(copy.get_data())
    last = pages[-1]
    for expected in ("Trace de la signature", person.full_name, shown["sha256"],
                     "interface de programmation", world.advisor.full_name,
                     f"page {len(pages)} / {len(pages)}"):
        assert squeeze(expected) in squeeze(last), expected
    # the pages accepted come first, unchanged but for the page count in their footers
    def unnumbered(texts):
        return [re.sub(r"page \d+ / \d+", "", text) for text in texts]
    assert unnumbered(pages[:-1]) == unnumbered(pages_of(accepted_before))
    accepted = world.get(f"/rentals/{rental_id}/contract.pdf?accepted=true")
    assert hashlib.sha256(accepted.get_data()).hexdigest() == shown["sha256"]
    assert accepted.get_data() == accepted_before
    contract = db.session.query(RentalContract).one()
    assert contract.signed_document_sha256 == signed.get_json()["signed_copy_sha256"]


# -- the état des lieux ------------------------------------------------------------------------

def test_inspection_report_compares_item_by_item_with_photos(app, client):
    world = make_world(client)
    person = world.person(first_name="Nguyễn Thị", last_name="Hương")
    vehicle = world.vehicle("car")
    rental_id = world.booked(person, vehicle)
    world.prepare(rental_id, person)
    out = world.post(f"/rentals/{rental_id}/check-out",
                     {"odometer_km": 1000, "energy_level_pct": 80,
                      "checklist": {item: True for item in CHECKLISTS["car"]},
                      "damage_notes": "Rayure ancienne sur la portière arrière gauche"},
                     user=world.manager)
    assert out.status_code == 200, out.get_json()
    checklist = {item: True for item in CHECKLISTS["car"]} | {"bodywork": False}
    back = world.post(f"/rentals/{rental_id}/check-in",
                      {"odometer_km": 1234, "energy_level_pct": 35, "checklist": checklist,
                       "damage_notes": "Rétroviseur droit fêlé"}, user=world.manager)
    assert back.status_code == 200, back.get_json()
    rental = db.session.get(Rental, rental_id)
    for inspection in rental.inspections:
        save_photo(world.manager, vehicle, png_bytes((40, 30)),
                   upload_folder=app.config["UPLOAD_FOLDER"], max_bytes=10**6,
                   inspection=inspection)
    response = world.get(f"/rentals/{rental_id}/inspection-report.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("État des lieux", "Nguyễn Thị Hương", vehicle.plate, "1 000 km",
                     "1 234 km", "234 km parcourus", "80 %", "35 %", "-45 points",
                     "Carrosserie", "À signaler", "Modifié", "Rayure ancienne",
                     "Rétroviseur droit fêlé", "Photos au départ", "Photos au retour",
                     "Le bénéficiaire", "Date et signature"):
        assert expected.replace("\u202f", " ") in text.replace("\u202f", " ").replace(
            "\u00a0", " "), expected
    assert sum(len(page.images) for page in reader.pages) == 2


def test_inspection_report_access_is_the_rentals(app, client):
    world = make_world(client)
    person = world.person()
    vehicle = world.vehicle("scooter")
    rental_id = world.booked(person, vehicle)
    early = world.get(f"/rentals/{rental_id}/inspection-report.pdf")
    assert early.status_code == 409
    assert early.get_json()["error"]["code"] == "no_inspection"
    world.handed_over(rental_id, person, "scooter")
    assert world.get(f"/rentals/{rental_id}/inspection-report.pdf",
                     user=create_user("prescriber", world.platform)).status_code == 403
    assert world.get(f"/rentals/{rental_id}/inspection-report.pdf",
                     user=create_user("advisor", create_platform())).status_code == 404
    # the person themselves; another beneficiary of the platform is refused (as for the rental)
    own = create_user("beneficiary", world.platform)
    person.user_id = own.id
    stranger = create_user("beneficiary", world.platform)
    db.session.commit()
    assert world.get(f"/rentals/{rental_id}/inspection-report.pdf", user=own).status_code == 200
    assert world.get(f"/rentals/{rental_id}/inspection-report.pdf",
                     user=stranger).status_code == 403
    # the rental page links it
    login(client, world.manager)
    page = client.get(f"/fleet/rentals/{rental_id}").get_data(as_text=True)
    assert f"/documents/rentals/{rental_id}/etat-des-lieux.pdf" in page
    assert client.get(f"/documents/rentals/{rental_id}/etat-des-lieux.pdf").status_code == 200


# -- the funders' PDF --------------------------------------------------------------------------

class _Cells(HTMLParser):
    """The report page's tables: (title, [[cell texts]])."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._row = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_funders_pdf_shows_the_figures_of_the_page(app, client):
    from tests.reports.year import END, START, create_year

    year = create_year()
    login(client, create_user("advisor", year.platform))
    query = f"start={START.isoformat()}&end={END.isoformat()}"
    page = client.get(f"/reports/activity?{query}")
    assert page.status_code == 200
    parser = _Cells()
    parser.feed(page.get_data(as_text=True))
    tables = [t for t in parser.tables if len(t) > 1]
    assert len(tables) >= 5
    pdf = client.get(f"/reports/activity/export.pdf?{query}")
    text = squeeze(pdf_text(pdf.get_data()))
    checked = 0
    for table in tables:
        position = 0
        for row in table:
            for cell in row:
                found = text.find(squeeze(cell), position)
                assert found >= 0, (cell, row)
                position = found
                checked += 1
    assert checked > 40


# -- the checkpoint checklist ------------------------------------------------------------------

def test_checkpoint_checklist_starts_unanswered_and_refuses_a_missing_answer(app, client):
    world = make_world(client)
    person = world.person()
    vehicle = world.vehicle("car")
    rental_id = world.booked(person, vehicle)
    world.handed_over(rental_id, person, "car")
    login(client, world.advisor)
    html = client.get(f"/checkpoints/rentals/{rental_id}").get_data(as_text=True)
    checklist = re.search(r'data-testid="checklist".*?</legend>(.*)name="condition_note"', html,
                          re.S).group(1)
    assert 'name="item_bodywork"' in checklist and 'value="issue"' in checklist
    assert "checked" not in checklist
    answers = {f"item_{item}": "ok" for item in CHECKLISTS["car"]}
    form = {"csrf_token": csrf_token_from(html), "date": local_today().isoformat(),
            "odometer_km": "1100", "condition_note": "Rayure sur l’aile avant"}
    missing = client.post(f"/checkpoints/rentals/{rental_id}",
                          data={**form, **{k: v for k, v in answers.items()
                                           if k != "item_bodywork"}})
    assert missing.status_code == 400
    assert "Indiquez si ce point est en bon état ou s’il y a quelque chose à signaler" \
        in missing.get_data(as_text=True)
    assert db.session.query(Checkpoint).count() == 0
    done = client.post(f"/checkpoints/rentals/{rental_id}",
                       data={**form, **answers, "item_bodywork": "issue"})
    assert done.status_code == 302
    checkpoint = db.session.query(Checkpoint).one()
    assert checkpoint.condition["bodywork"] is False and checkpoint.condition["brakes"] is True


def test_retention_empties_the_signed_copy_too(app, client):
    """Past the contract's retention the signed copy (it names the person) goes with the
    accepted document and the signer's name; both hashes stay as proof."""
    from datetime import UTC, datetime

    from mobility.privacy.models import Anonymisation
    from mobility.privacy.services import purge_expired_contracts

    world = make_world(client)
    person = world.person(first_name="Łukasz", last_name="Wiśniewski")
    rental_id = world.booked(person, world.vehicle("scooter"))
    assert world.sign(rental_id, person).status_code == 200
    db.session.add(Anonymisation(platform_id=world.platform.id, beneficiary_id=person.id,
                                 reason="request"))
    db.session.commit()
    rental = db.session.get(Rental, rental_id)
    assert purge_expired_contracts(now=datetime(rental.end_date.year + 5, 12, 31,
                                                tzinfo=UTC)) == 1
    db.session.expire_all()
    contract = db.session.query(RentalContract).one()
    assert contract.signed_document is None and contract.document == b""
    assert contract.signer_name is None
    assert contract.sha256 and contract.signed_document_sha256


def test_lender_identity_from_the_command_line(app):
    platform = create_platform()
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["platforms", "identity", "--slug", platform.slug, "--legal-name",
                              "Association Mobilité", "--address", "1 rue A, Menton",
                              "--siret", "12345678200011"])
    assert bad.exit_code != 0 and "SIRET" in bad.output
    db.session.expire_all()
    assert db.session.get(Platform, platform.id).siret is None
    done = runner.invoke(args=["platforms", "identity", "--slug", platform.slug, "--legal-name",
                               "Association Mobilité", "--address", "1 rue A, Menton",
                               "--siret", "123 456 782 00010"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    saved = db.session.get(Platform, platform.id)
    assert (saved.legal_name, saved.siret) == ("Association Mobilité", SIRET)
