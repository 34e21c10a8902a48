"""SMS length in GSM-7 / UCS-2 segments (3GPP TS 23.038 / 23.040), counted before sending;
the default reminders fit one segment; the message-template page shows the count."""

from __future__ import annotations

import pytest

from mobility.notifications.rendering import render_message
from mobility.notifications.samples import BENEFICIARY_REMINDERS, sample_context
from mobility.notifications.segments import count_segments, gsm_friendly
from tests.factories import create_user, login


@pytest.mark.parametrize("text, encoding, units, segments", [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("é è à ù ì ò Ç É", "GSM-7", 15, 1),  # in the GSM default alphabet
    ("€" * 80, "GSM-7", 160, 1),  # extension table: two septets each
    ("€" * 81, "GSM-7", 162, 2),
    ("ê" * 70, "UCS-2", 70, 1),
    ("ê" * 71, "UCS-2", 71, 2),
    ("ê" * 134, "UCS-2", 134, 2),
    ("ê" * 135, "UCS-2", 135, 3),
    ("🚲" * 35, "UCS-2", 70, 1),  # outside the BMP: two UTF-16 units
    ("🚲" * 36, "UCS-2", 72, 2),
])
def test_segments_are_counted_as_phones_receive_them(text, encoding, units, segments):
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_french_typography_is_made_gsm_without_losing_the_text():
    assert gsm_friendly("L’atelier « vélo » — Pôle\u202fà 14 h…") == \
        'L\'atelier " vélo " - Pole à 14 h...'
    assert count_segments(gsm_friendly("Fête de l’été, œuvre")).encoding == "GSM-7"
    assert count_segments(gsm_friendly("Rendez-vous 🚲")).encoding == "UCS-2"


@pytest.mark.parametrize("kind", BENEFICIARY_REMINDERS)
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_default_reminders_fit_one_segment(sqlite_app, kind, locale):
    context = sample_context(kind, "https://mobilite.exemple-association.fr")
    sms = render_message(kind, locale, context).sms
    count = count_segments(sms)
    assert count.encoding == "GSM-7", sms
    assert count.segments == 1, (count, sms)


def test_the_template_page_shows_each_count_to_admins_only(app, client):
    admin = create_user("admin")
    login(client, admin)
    page = client.get("/notifications/templates").get_data(as_text=True)
    assert 'data-kind="checkpoint_reminder"' in page and "1 segment SMS" in page
    assert "Erreur de modèle" not in page  # every kind renders with its sample values
    tried = client.get("/notifications/templates", query_string={"text": "🚲" * 36})
    assert 'data-segments="2"' in tried.get_data(as_text=True)
    advisor = app.test_client()
    login(advisor, create_user("advisor"))
    assert advisor.get("/notifications/templates").status_code == 403
