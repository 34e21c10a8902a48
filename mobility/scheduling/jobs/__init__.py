"""The job definitions, one module per area, each querying that area's models; the scheduling
feature adds them to the app (`mobility.scheduling.feature`, see `registry` and
`docs/scheduler.md`, "Adding a job")."""
