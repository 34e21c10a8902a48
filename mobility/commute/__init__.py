"""Commute feasibility for the platform: the app side of the `routing` library.

Stored commute checks (`CommuteCheck`), the process-wide routing context (`context`), the
"Trajet domicile-travail" pages and the `/api/v1/commute-checks` endpoints. See docs/commute.md.
"""
