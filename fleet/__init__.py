"""Fleet domain: sites, vehicles, rentals, availability, inspections, maintenance, carpool, minibus.

Models and services only; no request handling. Imports nothing from `mobility` but
`mobility.core`; what it needs from other packages (the audit log, whether a beneficiary
exists) comes through hooks the web layer sets (`fleet.services.common`).
"""
