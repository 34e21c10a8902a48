"""The job definitions, added to the app by `mobility.scheduling.feature` (see `registry`).

Each module covers one area and queries that area's models; a job whose models do not exist
yet is simply not defined (see `docs/scheduler.md`, "Adding a job").
"""

from mobility.scheduling.jobs import (  # noqa: F401
    checkpoints,
    deposits,
    fleet_jobs,
    housekeeping,
    outbox,
    progressive_plan,
    rentals,
    workshops,
)
