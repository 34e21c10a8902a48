"""What every feature, `fleet/` included, may import: the database, tenancy, column types,
roles, the domain's errors, the platform's calendar. Nothing here imports a feature."""
