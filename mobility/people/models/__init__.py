"""The people side of the domain: referrals, beneficiaries, pathways, assessments, exits.

One module per area (`codes`, `files`, `referrals`, `workshops`, `assessments`); this package
re-exports every name so that `from mobility.people.models import Beneficiary` works and all
the mappers are registered together.

Access rules live on the models (`can_view` / `can_edit`):

- advisors and admins see and change everything of their platform;
- a fleet manager sees a beneficiary's identity and contact only (see `Beneficiary.visible_to`);
- a prescriber sees the referrals of their organisation (status, decline reason, feedback),
  never a beneficiary file, case notes, RSA status, disability or health;
- a beneficiary sees only their own file (without case notes).
"""

from mobility.people.models.assessments import (
    EligibilityOverride,
    MobilityAssessment,
)
from mobility.people.models.codes import (
    ACTION_KINDS,
    ATTENDANCE_STATUSES,
    CONTRACT_TYPES,
    EMPLOYMENT_KINDS,
    EXIT_EMPLOYMENT,
    EXIT_REASONS,
    EXIT_SOLUTIONS,
    GENDERS,
    NOTE_KINDS,
    OBSTACLES,
    PATHWAY_STATUSES,
    REFERRAL_REASONS,
    REFERRAL_STATUSES,
    RESOURCES_BANDS,
    SCHEMES,
    STAFF_EDIT,
    label,
)
from mobility.people.models.files import (
    DOCUMENT_KINDS,
    Beneficiary,
    CaseNote,
    Pathway,
    PathwayAction,
    PeopleSettings,
    PersonDocument,
)
from mobility.people.models.referrals import (
    ReferentFeedback,
    Referral,
)
from mobility.people.models.workshops import (
    Workshop,
    WorkshopAttendance,
    WorkshopSession,
)

__all__ = [
    "ACTION_KINDS",
    "ATTENDANCE_STATUSES",
    "Beneficiary",
    "CONTRACT_TYPES",
    "CaseNote",
    "DOCUMENT_KINDS",
    "EMPLOYMENT_KINDS",
    "EXIT_EMPLOYMENT",
    "EXIT_REASONS",
    "EXIT_SOLUTIONS",
    "EligibilityOverride",
    "GENDERS",
    "MobilityAssessment",
    "NOTE_KINDS",
    "OBSTACLES",
    "PATHWAY_STATUSES",
    "Pathway",
    "PathwayAction",
    "PeopleSettings",
    "PersonDocument",
    "REFERRAL_REASONS",
    "REFERRAL_STATUSES",
    "RESOURCES_BANDS",
    "ReferentFeedback",
    "Referral",
    "SCHEMES",
    "STAFF_EDIT",
    "Workshop",
    "WorkshopAttendance",
    "WorkshopSession",
    "label",
]
