"""Figures kept beside the rows they are counted from have exactly one write path.

`Mentorship.last_held_on` follows the check-ins and `PeerMonth` follows the notes and the
referrals. Each is kept right by one service module, so any other module that writes
check-ins or monthly counts (an admin, a seed, a management command) must call those
services instead of writing the rows itself.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "peerprogram",
    "programme",
    "recruitment",
    "employment",
    "mentoring",
    "education",
    "journal",
]

# A write through a model's manager or a row of it: create, bulk writes, update, delete.
WRITES = (
    r"\.objects\.(?:create|get_or_create|update_or_create|bulk_create|bulk_update|update|delete)\("
)

KEPT = {
    # model written -> the only module that may write it
    "CheckIn": "mentoring/services.py",
    "PeerMonth": "journal/services.py",
}


def _project_modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_check_ins_and_monthly_counts_are_written_by_their_services_only():
    offenders = []
    for path in _project_modules():
        text = path.read_text()
        relative = path.relative_to(ROOT).as_posix()
        for model, owner in KEPT.items():
            if relative != owner and re.search(rf"\b{model}{WRITES}", text):
                offenders.append(f"{relative} writes {model}")
        # The kept date itself is set in one place.
        if relative != "mentoring/services.py" and re.search(
            r"last_held_on\s*=(?!\s*models\.)", text
        ):
            offenders.append(f"{relative} sets last_held_on")
    assert offenders == []


def test_the_pattern_finds_a_write():
    """The check above would see a direct write (so its empty result means something)."""
    assert re.search(rf"\bCheckIn{WRITES}", "CheckIn.objects.bulk_create(rows)")
    assert re.search(rf"\bPeerMonth{WRITES}", "PeerMonth.objects.update(notes=0)")
    assert not re.search(rf"\bCheckIn{WRITES}", "CheckIn.objects.filter(pk=1)")
