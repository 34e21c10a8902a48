"""The demo people: a dozen people at every stage, the demo beneficiary linked to a file."""

from sqlalchemy import select

from mobility.auth.models import User
from mobility.core.dates import local_today
from mobility.core.db import db
from mobility.demo import load_demo
from mobility.people.models import Beneficiary, Referral
from mobility.people.services import stage_of


def test_demo_has_people_at_every_stage(app):
    platform = load_demo()
    people = db.session.scalars(select(Beneficiary).where(
        Beneficiary.platform_id == platform.id)).all()
    waiting = db.session.scalars(select(Referral).where(Referral.status == "submitted")).all()
    assert len(people) + len(waiting) >= 12
    assert {stage_of(b) for b in people} >= {"accepted", "assessed", "exited"}
    assert any(p.current_pathway.gain and p.current_pathway.gain > 0 for p in people)
    towns = {"Beausoleil", "Cap-d'Ail", "Roquebrune-Cap-Martin", "La Turbie", "Èze"}
    assert all(any(t in (b.address or "") for t in towns) for b in people)
    assert all("Monaco" in b.workplace_address for b in people)
    user = db.session.scalar(select(User).where(User.email == "beneficiaire@demo.mobilite.fr"))
    assert db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id))


def test_demo_files_carry_documents_once(app):
    from mobility.people import documents
    from mobility.people.models import PersonDocument

    load_demo()
    first = db.session.scalars(select(PersonDocument).order_by(PersonDocument.id)).all()
    load_demo()
    again = db.session.scalars(select(PersonDocument).order_by(PersonDocument.id)).all()
    assert [d.id for d in again] == [d.id for d in first]
    assert {d.kind for d in first} >= {"driving_licence", "employment_contract",
                                       "proof_of_address", "identity"}
    assert all(documents.document_path(d).is_file() for d in first)
    # one expiring within the warning window, to show on the file
    assert any(documents.expires_soon(d) and not d.is_expired(local_today())
               for d in first)
