"""Sample variables for each kind of message: what the template page renders to show an
SMS's length (and what the tests check fits one segment). Values are long on purpose."""

from __future__ import annotations

from datetime import date, datetime

#: a sign-in link as long as the real ones (`PUBLIC_BASE_URL/r/` + 16 characters)
SAMPLE_LINK_TOKEN = "AbCdEfGhIjKlMnOp"

#: the reminders a beneficiary receives: each must fit one SMS segment
BENEFICIARY_REMINDERS = ("checkpoint_reminder", "rental_return_due", "workshop_reminder",
                         "portal_code", "vehicle_replaced")


def sample_context(kind: str, base_url: str) -> dict:
    """Template variables for `kind` as a real reminder would have them."""
    base = base_url.rstrip("/")
    # beneficiaries get a sign-in link; staff a plain link to the record
    link = f"{base}/r/{SAMPLE_LINK_TOKEN}" if kind in BENEFICIARY_REMINDERS \
        else f"{base}/fleet/rentals/1234"
    common = {"recipient_name": "Marie-Françoise Dupont-Lefèvre",
              "beneficiary_name": "Marie-Françoise Dupont-Lefèvre", "link": link}
    samples = {
        "checkpoint_reminder": {"checkpoint_date": date(2026, 3, 12),
                                "place": "Pôle mobilité Beausoleil"},
        "rental_return_due": {"audience": "beneficiary", "vehicle": "Peugeot 208 GA-123-BC",
                              "end_date": date(2026, 3, 12),
                              "return_site": "Pôle mobilité Beausoleil",
                              "return_slot_at": None},
        "workshop_reminder": {"workshop_title": "Lire le plan de bus",
                              "starts_at": datetime(2026, 3, 12, 13, 30),
                              "location": "Pôle mobilité Beausoleil"},
        "portal_code": {"code": "123456", "link": None},
        "vehicle_replaced": {"vehicle": "Peugeot 208 GA-123-BC",
                             "place": "Pôle mobilité Beausoleil", "date": date(2026, 3, 12)},
        "rental_overdue": {"vehicle": "Peugeot 208 GA-123-BC", "end_date": date(2026, 3, 12)},
        "amie_monthly_step": {"month": 3, "month_start": date(2026, 3, 12),
                              "price_cents": 12000},
        "amie_microcredit": {"month_start": date(2026, 3, 12), "end_date": date(2026, 4, 11)},
        "deposit_expiring": {"expires_at": datetime(2026, 3, 12, 10, 0), "amount_cents": 30000},
        "maintenance_due": {"vehicle": "Peugeot 208 GA-123-BC", "job_kind": "service"},
        "vehicle_document_expiring": {"vehicle": "Peugeot 208 GA-123-BC",
                                      "document": "insurance", "expires_on": date(2026, 3, 12)},
        "referent_feedback": {},
        "pathway_exit": {"exit_date": date(2026, 3, 12)},
    }
    return {**common, **samples.get(kind, {})}
