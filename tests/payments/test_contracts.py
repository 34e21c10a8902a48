"""The provision contract: generated PDF, signed once (name, time, SHA-256), archived."""

import hashlib

import pytest

from mobility.audit.models import AuditEvent
from mobility.contracts.models import RentalContract
from mobility.core.db import db
from tests.factories import (
    api_token,
    bearer,
    create_money_rental,
    create_platform,
    create_user,
    csrf_token_from,
)
from tests.factories import login as sign_in


@pytest.fixture
def advisor(app):
    return create_user("advisor")


def _sign(client, token, rental, **overrides):
    body = {"signer_name": rental.beneficiary.full_name, "accepted": True}
    body.update(overrides)
    return client.post(f"/api/v1/rentals/{rental.id}/contract/sign", json=body,
                       headers=bearer(token))


def test_contract_pdf_carries_the_terms_and_its_hash(client, advisor):
    rental = create_money_rental(advisor.platform, kind="car", days=28, allowance_km=36)
    token = api_token(client, advisor)
    response = client.get(f"/api/v1/rentals/{rental.id}/contract.pdf", headers=bearer(token))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    document = response.get_data()
    assert document.startswith(b"%PDF")
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(document).hexdigest()
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(_bytes_io(document)).pages)
    for expected in (rental.beneficiary.last_name, rental.vehicle.plate, "36 km",
                     "300,00", "02/03/2026"):
        assert expected in text, expected


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def test_signing_archives_name_time_and_the_exact_documents_hash(client, advisor):
    rental = create_money_rental(advisor.platform)
    token = api_token(client, advisor)
    shown = client.get(f"/api/v1/rentals/{rental.id}/contract", headers=bearer(token)).get_json()
    response = _sign(client, token, rental, document_sha256=shown["sha256"],
                     signer_name=rental.beneficiary.full_name.upper())
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["signed"] and data["signed_at"] and data["sha256"] == shown["sha256"]
    # the download is now the signed copy (accepted pages + the signature record); the exact
    # bytes accepted stay available and keep their hash
    pdf = client.get(f"/api/v1/rentals/{rental.id}/contract.pdf?accepted=true",
                     headers=bearer(token))
    assert hashlib.sha256(pdf.get_data()).hexdigest() == shown["sha256"]
    assert db.session.query(AuditEvent).filter_by(object_type="RentalContract").count() == 1


def test_signing_twice_is_409_and_changes_nothing(client, advisor):
    rental = create_money_rental(advisor.platform)
    token = api_token(client, advisor)
    first = _sign(client, token, rental).get_json()
    second = _sign(client, token, rental)
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "already_signed"
    contract = db.session.query(RentalContract).one()
    assert contract.signed_at.isoformat() == first["signed_at"]


@pytest.mark.parametrize(("overrides", "status", "field"), [
    ({"accepted": False}, 400, "accepted"),
    ({"signer_name": "Quelqu'un d'autre"}, 400, "signer_name"),
    ({"signer_name": ""}, 400, "signer_name"),
    ({"document_sha256": "0" * 64}, 409, None),
])
def test_bad_signatures_are_refused_and_nothing_is_signed(client, advisor, overrides, status,
                                                          field):
    rental = create_money_rental(advisor.platform)
    response = _sign(client, api_token(client, advisor), rental, **overrides)
    assert response.status_code == status
    if field:
        assert field in response.get_json()["error"]["details"]
    assert db.session.query(RentalContract).filter(
        RentalContract.signed_at.is_not(None)).count() == 0


def test_an_unsigned_draft_follows_the_rental_a_signed_one_never_changes(client, advisor):
    rental = create_money_rental(advisor.platform, days=28)
    token = api_token(client, advisor)
    before = client.get(f"/api/v1/rentals/{rental.id}/contract", headers=bearer(token)).get_json()
    from datetime import timedelta

    rental.end_date = rental.end_date + timedelta(days=7)
    db.session.commit()
    draft = client.get(f"/api/v1/rentals/{rental.id}/contract", headers=bearer(token)).get_json()
    assert draft["sha256"] != before["sha256"]
    stale = _sign(client, token, rental, document_sha256=before["sha256"])
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "document_changed"
    signed = _sign(client, token, rental, document_sha256=draft["sha256"]).get_json()
    rental.end_date = rental.end_date + timedelta(days=7)
    db.session.commit()
    after = client.get(f"/api/v1/rentals/{rental.id}/contract", headers=bearer(token)).get_json()
    # the signed version is archived as it was; the change makes version 2, to sign in turn
    assert signed["version"] == 1 and after["version"] == 2 and not after["signed"]
    assert after["sha256"] != signed["sha256"]
    first = db.session.query(RentalContract).filter_by(rental_id=rental.id, version=1).one()
    assert first.sha256 == signed["sha256"] and first.signed_at is not None


def test_closed_rentals_cannot_be_signed(client, advisor):
    rental = create_money_rental(advisor.platform, status="returned")
    assert _sign(client, api_token(client, advisor), rental).status_code == 409


def test_the_beneficiary_signs_and_downloads_their_own_contract_only(client):
    platform = create_platform()
    mine, theirs = create_money_rental(platform), create_money_rental(platform)
    user = create_user("beneficiary", platform=platform)
    mine.beneficiary.user_id = user.id
    db.session.commit()
    token = api_token(client, user)
    assert _sign(client, token, mine).status_code == 200
    assert client.get(f"/api/v1/rentals/{mine.id}/contract.pdf", headers=bearer(token)) \
        .status_code == 200
    assert client.get(f"/api/v1/rentals/{theirs.id}/contract.pdf", headers=bearer(token)) \
        .status_code == 403
    prescriber = create_user("prescriber", platform=platform)
    assert client.get(f"/api/v1/rentals/{mine.id}/contract.pdf",
                      headers=bearer(api_token(client, prescriber))).status_code == 403
    stranger = create_user("advisor")
    assert client.get(f"/api/v1/rentals/{mine.id}/contract.pdf",
                      headers=bearer(api_token(client, stranger))).status_code == 404


def test_sign_screen(client, advisor):
    rental = create_money_rental(advisor.platform)
    sign_in(client, advisor)
    page = client.get(f"/contracts/rentals/{rental.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = csrf_token_from(html)
    contract = db.session.query(RentalContract).one()
    assert contract.sha256 in html
    wrong = client.post(f"/contracts/rentals/{rental.id}",
                        data={"csrf_token": token, "signer_name": "Personne",
                              "accepted": "y", "document_sha256": contract.sha256})
    assert wrong.status_code == 400
    done = client.post(f"/contracts/rentals/{rental.id}",
                       data={"csrf_token": token, "signer_name": rental.beneficiary.full_name,
                             "accepted": "y", "document_sha256": contract.sha256})
    assert done.status_code == 302
    assert 'data-testid="contract-signed"' in client.get(
        f"/contracts/rentals/{rental.id}").get_data(as_text=True)
    again = client.post(f"/contracts/rentals/{rental.id}",
                        data={"csrf_token": token, "signer_name": rental.beneficiary.full_name,
                              "accepted": "y", "document_sha256": contract.sha256})
    assert again.status_code == 409
    pdf = client.get(f"/contracts/rentals/{rental.id}/contract.pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")
