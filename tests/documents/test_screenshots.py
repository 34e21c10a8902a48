"""Screenshots of the documents for a person to look at: the signed contract (first page and
the signature record) and the état des lieux (first and last page), rendered to PNG by
poppler's `pdftoppm` at a desktop width (1280 px) and a phone width (360 px), into
SCREENSHOT_DIR."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

from fleet.models import CHECKLISTS, Rental
from fleet.services import save_photo
from mobility.core.db import db
from tests.documents.test_documents import identify
from tests.fleet.helpers import png_bytes
from tests.rentals.world import make_world

SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))
WIDTHS = {"desktop": 1280, "mobile": 360}


def render(pdf: bytes, name: str, tmp_path: Path, pages: dict[str, int]) -> list[Path]:
    """Each named page of the PDF as PNG at both widths; returns the files written."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: bin/setup installs poppler-utils"
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for label, number in pages.items():
        for width_name, width in WIDTHS.items():
            stem = SCREENSHOT_DIR / f"documents-{name}-{label}-fr-{width_name}"
            subprocess.run([pdftoppm, "-png", "-singlefile", "-f", str(number), "-l",
                            str(number), "-scale-to-x", str(width), "-scale-to-y", "-1",
                            str(source), str(stem)], check=True, timeout=60)
            path = stem.with_suffix(".png")
            assert path.stat().st_size > 5000  # a real page, not an empty canvas
            written.append(path)
    return written


def test_screenshots_of_the_contract_and_the_condition_report(sqlite_app, tmp_path):
    client = sqlite_app.test_client()
    world = make_world(client)
    identify(world.platform)
    person = world.person(first_name="Łukasz", last_name="Wiśniewski")
    vehicle = world.vehicle("car", insurance_policy="AXA-778-21", label="Clio bleue")
    rental_id = world.booked(person, vehicle, days=21)
    rental = db.session.get(Rental, rental_id)
    rental.daily_mileage_allowance_km = 36.4
    db.session.commit()
    world.prepare(rental_id, person)
    # the signed copy, before the early return below makes a version 2 to sign
    contract = world.get(f"/rentals/{rental_id}/contract.pdf").get_data()
    checklist = {item: True for item in CHECKLISTS["car"]}
    out = world.post(f"/rentals/{rental_id}/check-out",
                     {"odometer_km": 1000, "energy_level_pct": 80, "checklist": checklist,
                      "damage_notes": "Rayure ancienne sur la portière arrière gauche"},
                     user=world.manager)
    assert out.status_code == 200, out.get_json()
    back = world.post(f"/rentals/{rental_id}/check-in",
                      {"odometer_km": 1234, "energy_level_pct": 35,
                       "checklist": checklist | {"bodywork": False},
                       "damage_notes": "Rétroviseur droit fêlé"}, user=world.manager)
    assert back.status_code == 200, back.get_json()
    rental = db.session.get(Rental, rental_id)
    for inspection in rental.inspections:
        save_photo(world.manager, vehicle, png_bytes((160, 120)),
                   upload_folder=sqlite_app.config["UPLOAD_FOLDER"], max_bytes=10**6,
                   inspection=inspection)

    reader = PdfReader(io.BytesIO(contract))
    assert "Trace de la signature" in reader.pages[-1].extract_text()
    last = len(reader.pages)
    files = render(contract, "contract", tmp_path, {"page1": 1, "signature": last})
    report = world.get(f"/rentals/{rental_id}/inspection-report.pdf").get_data()
    pages = len(PdfReader(io.BytesIO(report)).pages)
    files += render(report, "etat-des-lieux", tmp_path, {"page1": 1, "signature": pages})
    assert len(files) == 8



def test_screenshot_of_the_funders_report(sqlite_app, tmp_path):
    from tests.factories import create_user, login
    from tests.reports.year import END, START, create_year

    client = sqlite_app.test_client()
    year = create_year()
    login(client, create_user("advisor", year.platform))
    response = client.get(f"/reports/activity/export.pdf?start={START.isoformat()}"
                          f"&end={END.isoformat()}")
    assert response.status_code == 200
    assert len(render(response.get_data(), "funders-report", tmp_path, {"page1": 1,
                                                                        "page2": 2})) == 4
