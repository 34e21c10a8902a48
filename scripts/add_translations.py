"""Add French translations to one catalog without touching its other entries.

Usage: python scripts/add_translations.py CATALOG.po '{"msgid": "msgstr", ...}'
"""

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(path: str, entries: str) -> None:
    with open(path, "rb") as f:
        catalog = read_po(f, locale="fr")
    for msgid, msgstr in json.loads(entries).items():
        catalog.add(msgid, msgstr)
    with open(path, "wb") as f:
        write_po(f, catalog, width=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
