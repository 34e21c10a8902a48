"""A person's file: the beneficiary, their pathways and its actions, case notes, documents,
and the platform's people settings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fleet.licences import Licence, licences_from_json
from mobility.core.columns import UTCDateTime, utcnow
from mobility.core.db import db
from mobility.core.roles import ADMIN, ADVISOR, BENEFICIARY, FLEET_MANAGER
from mobility.core.tenancy import PlatformScoped
from mobility.core.translations import lazy_gettext as _l
from mobility.people.models.codes import STAFF_EDIT

if TYPE_CHECKING:
    from mobility.people.models.assessments import MobilityAssessment


class PeopleSettings(PlatformScoped, db.Model):
    """A platform's settings for assessments and eligibility (one row per platform).

    `config` holds overrides of `mobility.people.grid.DEFAULT_SCORING` and
    `mobility.people.eligibility.DEFAULT_ELIGIBILITY`; missing keys use the defaults in code.
    """

    __tablename__ = "people_settings"
    __table_args__ = (UniqueConstraint("platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Beneficiary(PlatformScoped, db.Model):
    """A person accompanied by the platform (bénéficiaire)."""

    __tablename__ = "beneficiaries"
    # the list of people, by name, a page at a time (keyset)
    __table_args__ = (Index("ix_beneficiaries_platform_name", "platform_id", "last_name",
                            "first_name", "id"),)
    view_roles = frozenset({ADMIN, ADVISOR, FLEET_MANAGER})
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    address_lat: Mapped[float | None] = mapped_column(Float)
    address_lon: Mapped[float | None] = mapped_column(Float)
    receives_rsa: Mapped[bool] = mapped_column(Boolean, default=False)
    lives_in_qpv: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the login of the beneficiary, when they have one
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # -- situation (drives prices and eligibility; sensitive) --
    resources_band: Mapped[str | None] = mapped_column(String(16))
    has_disability: Mapped[bool] = mapped_column(Boolean, default=False)
    health_constraints: Mapped[str | None] = mapped_column(Text)
    #: codes of `OBSTACLES`
    obstacles: Mapped[list | None] = mapped_column(JSON)
    # -- driving licences --
    #: `[{"category", "obtained_on", "valid_until", "suspended", "a1_training"}]`, checked by
    #: `fleet.licences.parse_licences`; the B entry is kept in step with the two fields below
    licences: Mapped[list | None] = mapped_column(JSON)
    has_licence_b: Mapped[bool] = mapped_column(Boolean, default=False)
    licence_b_since: Mapped[date | None] = mapped_column(Date)
    # -- employment or training --
    employment_kind: Mapped[str | None] = mapped_column(String(16))
    employer: Mapped[str | None] = mapped_column(String(200))
    workplace_address: Mapped[str | None] = mapped_column(String(300))
    workplace_lat: Mapped[float | None] = mapped_column(Float)
    workplace_lon: Mapped[float | None] = mapped_column(Float)
    contract_type: Mapped[str | None] = mapped_column(String(24))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    shift_start: Mapped[time | None] = mapped_column(Time)
    shift_end: Mapped[time | None] = mapped_column(Time)
    shift_notes: Mapped[str | None] = mapped_column(String(200))
    # -- membership of the association --
    membership_date: Mapped[date | None] = mapped_column(Date)
    membership_fee_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    # -- follow-up --
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("referents.id"), index=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    referent = relationship("Referent")
    pathways = relationship(
        "Pathway", back_populates="beneficiary", order_by="Pathway.opened_on.desc()"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def open_pathway(self) -> Pathway | None:
        return next((p for p in self.pathways if p.status == "open"), None)

    @property
    def current_pathway(self) -> Pathway | None:
        """The open pathway, else the latest one."""
        return self.open_pathway or (self.pathways[0] if self.pathways else None)

    def held_licences(self) -> list[Licence]:
        """The licences recorded, with the B shorthand (`has_licence_b`) when B is not listed."""
        out = licences_from_json(self.licences)
        if self.has_licence_b and not any(item.category == "B" for item in out):
            out.append(Licence("B", self.licence_b_since))
        return out

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def can_view(self, user) -> bool:
        if user is not None and user.role == BENEFICIARY:
            return self.same_platform(user) and self.user_id == user.id
        return super().can_view(user)

    def visible_to(self, user) -> str:
        """How much of the file `user` may read: "full", "own" or "contact"."""
        if user.role in STAFF_EDIT:
            return "full"
        if user.role == BENEFICIARY:
            return "own"
        return "contact"


class Pathway(PlatformScoped, db.Model):
    """One person's accompaniment, from the accepted referral (or first meeting) to the exit."""

    __tablename__ = "pathways"
    __table_args__ = (
        # the activity report's range filters (mobility/reports/queries.py)
        Index("ix_pathways_platform_opened", "platform_id", "opened_on"),
        Index("ix_pathways_platform_exit", "platform_id", "exit_date"),
    )
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    exit_date: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(24))
    exit_solution: Mapped[str | None] = mapped_column(String(24))
    exit_employment: Mapped[str | None] = mapped_column(String(24))
    exit_notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    beneficiary = relationship("Beneficiary", back_populates="pathways")
    advisor = relationship("User", foreign_keys=[advisor_id])
    referrals = relationship("Referral", back_populates="pathway")
    actions = relationship(
        "PathwayAction", back_populates="pathway",
        order_by="(PathwayAction.done_on.desc(), PathwayAction.id.desc())",
    )
    assessments = relationship(
        "MobilityAssessment", back_populates="pathway", order_by="MobilityAssessment.id"
    )
    feedback = relationship(
        "ReferentFeedback", back_populates="pathway", order_by="ReferentFeedback.id.desc()"
    )

    def assessment(self, kind: str) -> MobilityAssessment | None:
        return next((a for a in self.assessments if a.kind == kind), None)

    @property
    def gain(self) -> int | None:
        """Exit mobility potential minus entry mobility potential (None until both exist)."""
        entry, exit_ = self.assessment("entry"), self.assessment("exit")
        if entry is None or exit_ is None:
            return None
        return exit_.mobility_potential - entry.mobility_potential


class PathwayAction(PlatformScoped, db.Model):
    """An action of a pathway: coaching, workshop, rental, seat, referral to a partner."""

    __tablename__ = "pathway_actions"
    # the activity report's range filters (mobility/reports/queries.py)
    __table_args__ = (Index("ix_pathway_actions_platform_done", "platform_id", "done_on"),)
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    done_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    partner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_organisations.id")
    )
    workshop_session_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_sessions.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pathway = relationship("Pathway", back_populates="actions")
    partner_organisation = relationship("PartnerOrganisation")
    workshop_session = relationship("WorkshopSession")
    author = relationship("User")


class CaseNote(PlatformScoped, db.Model):
    """An advisor's note on a beneficiary's file (never shown to prescribers or the person)."""

    __tablename__ = "case_notes"
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16), default="meeting")
    noted_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


#: the kinds of a person's documents (pièces du dossier), in the order the file lists them
DOCUMENT_KINDS = {
    "driving_licence": _l("Driving licence"),
    "employment_contract": _l("Contract of employment, training or job promise"),
    "proof_of_address": _l("Proof of address"),
    "identity": _l("Identity document"),
    "other": _l("Other document"),
}


class PersonDocument(PlatformScoped, db.Model):
    """A document of a person's file (licence, contract of employment, proof of address, ID),
    stored under UPLOAD_FOLDER/people with a random server-side name; never under a public
    static path. Only the platform's advisors and admins see or change them."""

    __tablename__ = "person_documents"
    __table_args__ = (
        CheckConstraint("kind IN ('driving_licence', 'employment_contract', "
                        "'proof_of_address', 'identity', 'other')", name="kind_known"),
        CheckConstraint("expires_on IS NULL OR expires_on >= issued_on",
                        name="expires_after_issue"),
    )
    view_roles = STAFF_EDIT
    edit_roles = STAFF_EDIT

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    #: what the document is, in the advisor's words (needed for "other")
    title: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: server-generated file name (random), never the uploader's
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by = relationship("User")

    @property
    def kind_label(self) -> str:
        return str(DOCUMENT_KINDS.get(self.kind, self.kind))

    @property
    def extension(self) -> str:
        return self.stored_name.rsplit(".", 1)[-1]

    def days_left(self, today: date) -> int | None:
        """Days until the expiry date (0 on the day itself, negative once expired); None when
        the document does not expire."""
        return None if self.expires_on is None else (self.expires_on - today).days

    def is_expired(self, today: date) -> bool:
        """Expired from the day after its expiry date (valid on the date itself)."""
        days = self.days_left(today)
        return days is not None and days < 0


