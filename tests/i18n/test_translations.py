"""Every user-facing string has its Chinese translation, compiled."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_source():
    source = {(e.msgctxt, e.msgid): e.msgstr
              for e in polib.pofile(str(LOCALE / "django.po")) if not e.obsolete}
    compiled = {(e.msgctxt, e.msgid): e.msgstr
                for e in polib.mofile(str(LOCALE / "django.mo")) if e.msgid}
    assert compiled == source
