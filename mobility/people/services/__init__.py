"""People services, one module per area; this package re-exports their public names so that
`from mobility.people import services` keeps working for callers outside the feature.

Each function lives in one module of the package:

- `files`: a beneficiary file checked, created, updated (licences, geocoding), as JSON;
- `listing`: stages, searches and pages of people;
- `referrals`: submitted, accepted, declined, listed;
- `pathways`: case notes, feedback to referents, actions, the exit, the timeline;
- `workshops`: sessions, registrations, attendance;
- `assessments`: entry and exit assessments scored by the grid;
- `overrides`: eligibility to the schemes and its overrides;
- `settings`: the platform's scoring and eligibility settings;
- partner organisations and referents live in `mobility.organisations.services`.
"""

from mobility.organisations.services import (
    create_organisation,
    create_referent,
    organisation_in_platform,
)
from mobility.people.services.assessments import (
    ASSESSMENT_KINDS,
    assessment_json,
    ladder_for_display,
    record_assessment,
)
from mobility.people.services.common import (
    NOT_A_CHOICE,
)
from mobility.people.services.files import (
    BENEFICIARY_FIELDS,
    EMPLOYMENT_FIELDS,
    SITUATION_FIELDS,
    beneficiary_json,
    check_person,
    create_beneficiary,
    feasibility_of,
    find_duplicates,
    geocode_address,
    locate,
    routing_in_files,
    update_beneficiary,
)
from mobility.people.services.listing import (
    STAGES,
    beneficiaries_query,
    beneficiary_page,
    search_beneficiaries,
    stage_clause,
    stage_of,
)
from mobility.people.services.overrides import (
    MIN_JUSTIFICATION,
    eligibility_for,
    facts_of,
    latest_override,
    override_eligibility,
    override_in_force,
)
from mobility.people.services.pathways import (
    add_action,
    add_case_note,
    record_exit,
    reopen_pathway,
    send_feedback,
    timeline,
)
from mobility.people.services.referrals import (
    REFERRAL_FIELDS,
    accept_referral,
    decline_referral,
    referral_json,
    referral_page,
    referrals_for,
    referrals_query,
    submit_referral,
)
from mobility.people.services.workshops import (
    create_workshop_session,
    get_or_create_workshop,
    record_attendance,
    register_attendee,
)
from mobility.people.settings import (
    amie_max_months,
    eligibility_config_for,
    scoring_for,
    settings_config,
    update_settings,
)

__all__ = [
    "ASSESSMENT_KINDS",
    "BENEFICIARY_FIELDS",
    "EMPLOYMENT_FIELDS",
    "MIN_JUSTIFICATION",
    "NOT_A_CHOICE",
    "REFERRAL_FIELDS",
    "SITUATION_FIELDS",
    "STAGES",
    "accept_referral",
    "add_action",
    "add_case_note",
    "amie_max_months",
    "assessment_json",
    "beneficiaries_query",
    "beneficiary_json",
    "beneficiary_page",
    "check_person",
    "create_beneficiary",
    "create_organisation",
    "create_referent",
    "create_workshop_session",
    "decline_referral",
    "eligibility_config_for",
    "eligibility_for",
    "facts_of",
    "feasibility_of",
    "find_duplicates",
    "geocode_address",
    "get_or_create_workshop",
    "ladder_for_display",
    "latest_override",
    "locate",
    "organisation_in_platform",
    "override_eligibility",
    "override_in_force",
    "record_assessment",
    "record_attendance",
    "record_exit",
    "referral_json",
    "referral_page",
    "referrals_for",
    "referrals_query",
    "register_attendee",
    "reopen_pathway",
    "routing_in_files",
    "scoring_for",
    "search_beneficiaries",
    "send_feedback",
    "settings_config",
    "stage_clause",
    "stage_of",
    "submit_referral",
    "timeline",
    "update_beneficiary",
    "update_settings",
]
