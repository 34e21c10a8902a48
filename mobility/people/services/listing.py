"""Lists of people: each one's stage, the stage as SQL, searches and pages."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from mobility.core.db import db
from mobility.core.translations import lazy_gettext as _l
from mobility.pagination import PAGE_SIZE, Page, paginate
from mobility.people.models import Beneficiary, MobilityAssessment, Pathway
from mobility.platforms.phones import default_region, match_key


def stage_of(beneficiary: Beneficiary) -> str:
    """Where the person stands: accepted, assessed, exited (for lists and filters)."""
    pathway = beneficiary.current_pathway
    if pathway is None:
        return "no_pathway"
    if pathway.status == "exited":
        return "exited"
    return "assessed" if pathway.assessment("entry") else "accepted"


STAGES = {
    "accepted": _l("Accepted, to assess"),
    "assessed": _l("Assessed, in progress"),
    "exited": _l("Exited"),
    "no_pathway": _l("No pathway"),
}


def stage_clause(stage: str, platform_id: int):
    """`stage_of(b) == stage` as a SQL condition on Beneficiary (the same rule, for lists
    filtered and paginated in the database; a test checks that both agree)."""
    pathways = select(Pathway.id).where(Pathway.beneficiary_id == Beneficiary.id,
                                        Pathway.platform_id == platform_id)
    open_ = pathways.where(Pathway.status == "open")
    assessed = open_.where(select(MobilityAssessment.id).where(
        MobilityAssessment.pathway_id == Pathway.id,
        MobilityAssessment.kind == "entry").exists())
    if stage == "no_pathway":
        return ~pathways.exists()
    if stage == "exited":
        return pathways.exists() & ~open_.exists()
    if stage == "assessed":
        return assessed.exists()
    return open_.exists() & ~assessed.exists()  # accepted


def beneficiaries_query(user, *, q: str | None = None, stage: str | None = None,
                        open_pathway: bool = False):
    """The select of the platform's beneficiaries matching a name/phone/e-mail search and a
    stage; with `open_pathway`, only people whose pathway is in progress (those one may book
    for). Pathways and assessments (each row's stage) are loaded in two more queries."""
    query = select(Beneficiary).where(Beneficiary.platform_id == user.platform_id)
    if open_pathway:
        query = query.where(Beneficiary.id.in_(select(Pathway.beneficiary_id).where(
            Pathway.status == "open", Pathway.platform_id == user.platform_id)))
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        matches = (
            func.lower(Beneficiary.first_name + " " + Beneficiary.last_name).like(like)
            | func.lower(Beneficiary.last_name + " " + Beneficiary.first_name).like(like)
            | func.lower(func.coalesce(Beneficiary.email, "")).like(like)
            | func.coalesce(Beneficiary.phone, "").like(like))
        # a whole number typed in any form finds its E.164 spelling
        number = match_key(q, default_region(user.platform_id))
        query = query.where(matches | (Beneficiary.phone == number) if number else matches)
    if stage in STAGES:
        query = query.where(stage_clause(stage, user.platform_id))
    return query.options(selectinload(Beneficiary.pathways).selectinload(Pathway.assessments))


def search_beneficiaries(user, *, q: str | None = None, stage: str | None = None,
                         limit: int = 200, open_pathway: bool = False) -> list[Beneficiary]:
    """The first `limit` people of `beneficiaries_query` by name (pickers, searches)."""
    query = beneficiaries_query(user, q=q, stage=stage, open_pathway=open_pathway)
    return list(db.session.scalars(query.order_by(
        Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id).limit(limit)))


def beneficiary_page(user, *, q: str | None = None, stage: str | None = None,
                     cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of `beneficiaries_query`, by last name, first name and id."""
    return paginate(beneficiaries_query(user, q=q, stage=stage),
                    (Beneficiary.last_name, Beneficiary.first_name, Beneficiary.id),
                    cursor=cursor, limit=limit)


