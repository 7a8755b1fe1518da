"""The Danish catalogue is complete: every marked string has a translation."""

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "da" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[str]:
    return [block for block in text.split("\n\n") if "msgid" in block]


def test_no_danish_entry_is_fuzzy_or_empty():
    text = CATALOGUE.read_text(encoding="utf-8")
    problems = []
    for block in _entries(text)[1:]:  # the first block is the header
        if block.lstrip().startswith("#~"):
            continue  # obsolete entries are not shown
        if "#, fuzzy" in block:
            problems.append(block)
        for msgstr in re.findall(r'msgstr(?:\[\d\])? "(.*)"\n?((?:".*"\n?)*)', block):
            if not (msgstr[0] or msgstr[1].strip()):
                problems.append(block)
    assert problems == []


def test_placeholders_survive_translation():
    text = CATALOGUE.read_text(encoding="utf-8")
    for block in _entries(text)[1:]:
        ids = set(re.findall(r"%\(\w+\)s", block.split("msgstr")[0]))
        for part in block.split("msgstr")[1:]:
            assert set(re.findall(r"%\(\w+\)s", part)) == ids, block
