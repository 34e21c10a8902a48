"""The demo people: a dozen people at every stage, the demo beneficiary linked to a file."""

from sqlalchemy import select

from mobility.auth.models import User
from mobility.demo import load_demo
from mobility.extensions import db
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
