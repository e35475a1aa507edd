"""Fill untranslated entries of a catalog from a Python dict file: `fill.py LANG DICT.py`.

Plural entries are keyed by (singular, plural) tuples with a list of forms, entries with a
context by ("ctx", context, msgid). Existing
translations are never overwritten; the script prints what is still missing.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent


def main(lang: str, source: str) -> int:
    table = runpy.run_path(source)["VI" if lang == "vi" else "TABLE"]
    path = ROOT / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        done = all(message.string) if message.pluralizable else bool(message.string)
        if done and not message.fuzzy:
            continue
        key = tuple(message.id) if message.pluralizable else message.id
        if message.context:
            key = ("ctx", message.context, key)  # {("ctx", "plan status", "Approved"): "…"}
        if key in table:
            value = table[key]
            message.string = tuple(value) if message.pluralizable else value
            message.flags.discard("fuzzy")
        else:
            missing.append(key)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    for key in missing:
        print("missing:", key)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
