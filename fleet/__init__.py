"""Fleet domain: sites, vehicles, rentals, availability, inspections, maintenance, carpool, minibus.

Models and services only; no request handling. Imports only the shared database layer from
`mobility` (extensions, db_types, platforms.models, errors).
"""
