"""The feature packages wired into the app, in order.

For each name, `create_app` imports `mobility.<name>.models` (tables), `.views` (its blueprint
`bp`), `.api` (API endpoints), `.cli` (its `register(app)`), and `mobility.demo` calls
`.demo.load(platform)` when present.
"""

FEATURES: tuple[str, ...] = (
    "platforms",
    "organisations",
    "auth",
    "audit",
    "dashboard",
    "admin",
    "people",
    "portal",
    # -- feature packages below (one per line) --
    "fleet_web",
    "pricing",
    "payments",
    "contracts",
    "rentals",
    "checkpoints",
    "notifications",
    "scheduling",
    "reports",
    "privacy",
    "commute",
    "partners",
    "account",
    "documents",
)
