"""The kinds of notification: a name, a label, and templates in `templates/notifications/`.

Each kind `k` has `messages/k.subject.txt`, `messages/k.txt` (plain-text e-mail),
`messages/k.html` (HTML e-mail) and `messages/k.sms.txt` (short text, also what the advisor
reads out when the person is to be called).
"""

from __future__ import annotations

from mobility.core.translations import lazy_gettext as _l

KINDS = {
    "rental_return_due": _l("Vehicle return due"),
    "rental_overdue": _l("Overdue vehicle return"),
    "checkpoint_reminder": _l("Checkpoint reminder"),
    "amie_monthly_step": _l("Progressive plan: new month"),
    "amie_microcredit": _l("Progressive plan: microcredit proposal"),
    "deposit_expiring": _l("Deposit hold close to expiry"),
    "maintenance_due": _l("Maintenance due"),
    "vehicle_document_expiring": _l("Vehicle document expiring"),
    "workshop_reminder": _l("Workshop reminder"),
    "referent_feedback": _l("Feedback to the referent"),
    "pathway_exit": _l("Exit from the pathway"),
    "portal_code": _l("Sign-in code"),
    "vehicle_replaced": _l("Replacement vehicle"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def template_names(kind: str) -> dict[str, str]:
    base = f"notifications/messages/{kind}"
    return {"subject": f"{base}.subject.txt", "text": f"{base}.txt",
            "html": f"{base}.html", "sms": f"{base}.sms.txt"}
