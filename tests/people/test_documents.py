"""The documents of a person's file: uploaded like photos (real type from the bytes, size cap,
server-side names, EXIF stripped), listed with their expiry, downloaded as attachments with the
access checked, deleted after a confirmation (audited), exported and purged with the person's
data."""

from __future__ import annotations

import html
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mobility.audit.models import AuditEvent
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.people import documents
from mobility.people.models import PersonDocument
from tests.factories import (
    api_token,
    bearer,
    create_amie_beneficiary,
    create_platform,
    create_user,
    csrf_token_from,
    login,
)

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n"
       b"%%EOF\n")


def jpeg_with_exif() -> bytes:
    """A JPEG carrying a GPS position and a camera model in its EXIF block."""
    from PIL import Image

    image = Image.new("RGB", (8, 6), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Pixel 7"  # camera model
    exif[0x8825] = {1: "N", 2: (43.0, 44.0, 1.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (5, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(client, person, data: bytes, *, name: str = "scan.pdf", kind: str = "driving_licence",
           issued: str | None = None, expires: str | None = "", title: str = ""):
    page = client.get(f"/people/beneficiaries/{person.id}").get_data(as_text=True)
    issued = issued if issued is not None else (local_today() - timedelta(days=400)).isoformat()
    return client.post(f"/people/beneficiaries/{person.id}/documents", data={
        "csrf_token": csrf_token_from(page), "document-kind": kind, "document-title": title,
        "document-issued_on": issued, "document-expires_on": expires,
        "document-file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "people"
    return sorted(folder.iterdir()) if folder.exists() else []


def count_documents() -> int:
    return db.session.scalar(select(func.count(PersonDocument.id)))


def test_upload_pdf_jpeg_png_with_server_names_and_exif_stripped(app, client):
    from PIL import Image

    platform = create_platform()
    advisor = create_user("advisor", platform)
    person = create_amie_beneficiary(platform)
    login(client, advisor)
    for data, name, kind in ((PDF, "permis Julien.pdf", "driving_licence"),
                             (jpeg_with_exif(), "../../etc/passwd.jpg", "identity"),
                             (png(), "facture.png", "proof_of_address")):
        response = upload(client, person, data, name=name, kind=kind)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    rows = db.session.scalars(select(PersonDocument).order_by(PersonDocument.id)).all()
    assert [(d.kind, d.content_type) for d in rows] == [
        ("driving_licence", "application/pdf"), ("identity", "image/jpeg"),
        ("proof_of_address", "image/png")]
    assert all(d.uploaded_by_id == advisor.id and d.uploaded_at for d in rows)
    # random server-side names, never the uploader's; nothing outside the folder
    files = stored_files(app)
    assert len(files) == 3
    assert not any("permis" in f.name or "passwd" in f.name or "facture" in f.name
                   for f in files)
    assert {d.stored_name for d in rows} == {f.name for f in files}
    # the JPEG lost its EXIF (camera, GPS) but kept its pixels
    jpeg = documents.document_path(rows[1])
    with Image.open(jpeg) as image:
        assert image.size == (8, 6)
        assert not image.getexif()
    assert b"Pixel 7" not in jpeg.read_bytes()
    assert documents.document_path(rows[0]).read_bytes() == PDF
    # each upload is audited with field names only
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "PersonDocument", AuditEvent.action == "create")).all()
    assert len(events) == 3 and all("file" in e.fields for e in events)


@pytest.mark.parametrize(("data", "fields", "field"), [
    (b"GIF89a not allowed", {}, "file"),
    (b"", {}, "file"),
    (b"%PDF-1.4 no end marker", {}, "file"),
    (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript >>"), {},
     "file"),
    (PDF, {"kind": ""}, "kind"),
    (PDF, {"kind": "other", "title": ""}, "title"),
    (PDF, {"issued": ""}, "issued_on"),
    (PDF, {"issued": (local_today() + timedelta(days=1)).isoformat()}, "issued_on"),
    (PDF, {"issued": local_today().isoformat(),
           "expires": (local_today() - timedelta(days=1)).isoformat()}, "expires_on"),
])
def test_bad_input_is_refused_and_nothing_is_kept(app, client, data, fields, field):
    platform = create_platform()
    person = create_amie_beneficiary(platform)
    login(client, create_user("advisor", platform))
    response = upload(client, person, data, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and f'id="document-{field}-error"' in page
    assert count_documents() == 0
    assert stored_files(app) == []


def test_issue_today_and_expiry_on_the_issue_day_are_accepted(app, client):
    platform = create_platform()
    person = create_amie_beneficiary(platform)
    login(client, create_user("advisor", platform))
    day = local_today().isoformat()
    assert upload(client, person, PDF, issued=day, expires=day).status_code == 302
    assert count_documents() == 1


def test_size_cap_both_sides(app, client):
    platform = create_platform()
    person = create_amie_beneficiary(platform)
    login(client, create_user("advisor", platform))
    app.config["MAX_DOCUMENT_BYTES"] = len(PDF)
    assert upload(client, person, PDF).status_code == 302
    assert upload(client, person, PDF + b" ").status_code == 400
    assert count_documents() == 1


@pytest.mark.parametrize(("days", "text"), [
    (-1, "expiré"), (0, "expire aujourd'hui"), (1, "expire dans 1 jour"),
    (5, "expire dans 5 jours")])
def test_the_file_lists_each_document_with_its_expiry(app, client, days, text):
    platform = create_platform()
    advisor = create_user("advisor", platform, full_name="Inès Conseil")
    person = create_amie_beneficiary(platform)
    login(client, advisor)
    expires = local_today() + timedelta(days=days)
    assert upload(client, person, PDF, issued=(expires - timedelta(days=30)).isoformat(),
                  expires=expires.isoformat()).status_code == 302
    page = client.get(f"/people/beneficiaries/{person.id}").get_data(as_text=True)
    document = db.session.scalar(select(PersonDocument))
    assert f'data-document="{document.id}"' in page
    assert f">{text}</span>" in html.unescape(page)
    assert "Inès Conseil" in page
    # the licence document sits next to the licence record too
    assert 'data-testid="licence-document"' in page
    assert expires.isoformat() not in page  # dates through Babel, never ISO


def test_download_is_an_attachment_and_only_for_the_platforms_advisors(app, client):
    platform = create_platform()
    person = create_amie_beneficiary(platform)
    login(client, create_user("advisor", platform))
    assert upload(client, person, PDF).status_code == 302
    document = db.session.scalar(select(PersonDocument))
    response = client.get(f"/people/documents/{document.id}")
    assert response.status_code == 200
    assert response.get_data() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"driving-licence-{document.id}.pdf" in \
        disposition
    assert "no-store" in response.headers["Cache-Control"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "PersonDocument", AuditEvent.action == "view")) == 1
    # the file is not under a public path
    assert client.get(f"/static/{document.stored_name}").status_code == 404
    assert client.get(f"/uploads/people/{document.stored_name}").status_code == 404
    for role, status in (("admin", 200), ("fleet_manager", 403), ("prescriber", 403),
                         ("beneficiary", 403)):
        other = app.test_client()
        login(other, create_user(role, platform))
        assert other.get(f"/people/documents/{document.id}").status_code == status, role
    stranger = app.test_client()
    login(stranger, create_user("advisor", create_platform()))
    assert stranger.get(f"/people/documents/{document.id}").status_code == 404
    assert stranger.get(f"/people/documents/{document.id}/delete").status_code == 404
    # nor can another platform's advisor upload to the file
    page = stranger.get("/").get_data(as_text=True)
    refused = stranger.post(f"/people/beneficiaries/{person.id}/documents", data={
        "csrf_token": csrf_token_from(page) if 'name="csrf_token"' in page else "",
        "document-kind": "identity", "document-issued_on": local_today().isoformat(),
        "document-file": (io.BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert refused.status_code in (400, 404)
    assert count_documents() == 1


def test_delete_needs_the_confirmation_and_is_audited(app, client):
    platform = create_platform()
    person = create_amie_beneficiary(platform)
    login(client, create_user("advisor", platform))
    assert upload(client, person, png(), name="id.png", kind="identity").status_code == 302
    document = db.session.scalar(select(PersonDocument))
    document_id, path = document.id, documents.document_path(document)
    page = client.get(f"/people/documents/{document_id}/delete")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    unconfirmed = client.post(f"/people/documents/{document_id}/delete",
                              data={"csrf_token": token})
    assert unconfirmed.status_code == 400
    assert count_documents() == 1 and path.exists()
    done = client.post(f"/people/documents/{document_id}/delete",
                       data={"csrf_token": token, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert count_documents() == 0 and not path.exists()
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.object_type == "PersonDocument", AuditEvent.action == "delete"))
    assert event is not None and event.object_id == str(document_id)
    assert client.get(f"/people/documents/{document_id}").status_code == 404


def test_export_zip_holds_the_files_and_anonymisation_purges_them(app, client):
    platform = create_platform()
    person = create_amie_beneficiary(platform)
    advisor = create_user("advisor", platform)
    login(client, advisor)
    assert upload(client, person, PDF).status_code == 302
    assert upload(client, person, png(), kind="proof_of_address").status_code == 302
    other = create_amie_beneficiary(platform)
    assert upload(client, other, PDF, kind="identity").status_code == 302
    mine = db.session.scalars(select(PersonDocument).where(
        PersonDocument.beneficiary_id == person.id).order_by(PersonDocument.id)).all()
    paths = [documents.document_path(d) for d in mine]
    response = client.get(f"/privacy/beneficiaries/{person.id}/export.zip")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert f"documents/driving-licence-{mine[0].id}.pdf" in names
    assert f"documents/proof-of-address-{mine[1].id}.png" in names
    assert len([n for n in names if n.startswith("documents/")]) == 2  # not the other person's
    data = json.loads(archive.read(f"donnees-beneficiaire-{person.id}.json"))
    assert [d["kind"] for d in data["data"]["documents"]] == ["driving_licence",
                                                             "proof_of_address"]
    assert archive.read(f"documents/driving-licence-{mine[0].id}.pdf") == PDF
    # the API gives the same archive
    token = api_token(app.test_client(), advisor)
    by_api = client.get(f"/api/v1/beneficiaries/{person.id}/export?format=zip",
                        headers=bearer(token))
    assert by_api.status_code == 200 and by_api.mimetype == "application/zip"
    assert f"donnees-beneficiaire-{person.id}.zip" in by_api.headers["Content-Disposition"]
    assert zipfile.ZipFile(io.BytesIO(by_api.get_data())).namelist() == names
    # anonymisation: rows and files of this person gone, the other person's kept
    from mobility.people.models import Beneficiary
    from mobility.privacy.services import anonymise

    target = db.session.get(Beneficiary, person.id)
    for pathway in target.pathways:
        pathway.status, pathway.exit_date = "exited", local_today()
    db.session.commit()
    anonymise(create_user("advisor", platform), target)
    assert db.session.scalar(select(func.count(PersonDocument.id)).where(
        PersonDocument.beneficiary_id == person.id)) == 0
    assert not any(path.exists() for path in paths)
    assert count_documents() == 1 and len(stored_files(app)) == 1


def test_retention_counts_an_upload_as_contact_and_purges_the_files(app):
    from datetime import UTC, date, datetime

    from mobility.people.models import Beneficiary
    from mobility.privacy.services import anonymise_inactive
    from tests.factories import create_pathway
    from tests.reports.year import at, create_person

    platform = create_platform()
    advisor = create_user("advisor", platform)
    now = datetime(2028, 6, 1, tzinfo=UTC)
    people = {}
    for name, uploaded in (("Ancien", date(2025, 7, 1)), ("Récent", date(2027, 1, 1))):
        person = create_person(platform, first_name=name, created_at=at(date(2025, 1, 1)))
        create_pathway(person, date(2025, 1, 2), status="exited", exit_date=date(2025, 6, 1))
        db.session.commit()
        document = documents.add_document(advisor, person, kind="identity", title=None,
                                          issued_on=date(2025, 1, 1), expires_on=None,
                                          data=PDF, today=date(2025, 7, 1))
        document.uploaded_at = at(uploaded)
        db.session.commit()
        people[name] = (person.id, documents.document_path(document))
    assert anonymise_inactive(now) == 1
    db.session.expire_all()
    gone_id, gone_file = people["Ancien"]
    kept_id, kept_file = people["Récent"]
    assert db.session.get(Beneficiary, gone_id).first_name == "ANONYME"
    assert not gone_file.exists()
    assert db.session.get(Beneficiary, kept_id).first_name == "Récent"
    assert kept_file.exists() and count_documents() == 1


def test_the_licence_document_sits_next_to_the_hand_overs_licence_check(app, client):
    from tests.rentals.world import make_world

    world = make_world(client)
    person = world.person()
    rental_id = world.booked(person, world.vehicle("car"))
    bare = world.person()
    bare_rental_id = world.booked(bare, world.vehicle("car"))
    document = documents.add_document(world.advisor, person, kind="driving_licence",
                                      title=None, issued_on=local_today() - timedelta(days=900),
                                      expires_on=local_today() + timedelta(days=2), data=PDF)
    login(client, world.advisor)
    page = html.unescape(client.get(f"/fleet/rentals/{rental_id}").get_data(as_text=True))
    readiness = page[page.index('data-testid="readiness"'):]
    readiness = readiness[:readiness.index("</section>")]
    assert f"/people/documents/{document.id}" in readiness and "expire dans 2 jours" in readiness
    other = html.unescape(client.get(f"/fleet/rentals/{bare_rental_id}").get_data(as_text=True))
    assert "Aucune copie du permis dans le dossier" in other
    # the rule is the licence record's: the readiness item is unchanged by the document
    assert 'data-item="licence" data-ok="yes"' in page
    # a fleet manager may not open the file: no link to it
    manager = app.test_client()
    login(manager, world.manager)
    seen = manager.get(f"/fleet/rentals/{rental_id}").get_data(as_text=True)
    assert 'data-testid="readiness"' in seen and "/people/documents/" not in seen
