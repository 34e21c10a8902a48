"""Fill a French catalog from a .pot and a {msgid: msgstr} JSON file (a translator's helper).

Usage: python scripts/fill_catalog.py TEMPLATE.pot TRANSLATIONS.json OUT.po
Translations already in OUT.po are reused for the msgids of the template; msgids that are no
longer in the template are dropped (use scripts/add_translations.py to add entries to a
catalog built from several places). Exits 1 when a msgid is left untranslated.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(template: str, translations: str, out: str) -> int:
    with open(template, "rb") as f:
        catalog = read_po(f, locale="fr")
    known = {}
    if Path(out).exists():
        with open(out, "rb") as f:
            known = {m.id: m.string for m in read_po(f) if m.id and m.string}
    known.update(json.loads(Path(translations).read_text()))
    missing = []
    for message in catalog:
        if not message.id:
            continue
        message.string = known.get(message.id, "")
        message.flags.discard("fuzzy")
        if not message.string:
            missing.append(message.id)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        write_po(f, catalog, width=100)
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
