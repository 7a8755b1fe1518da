"""`manage.py check` (and `check --deploy`) finds a mistyped backup setting at deploy time,
not in the first night's backup."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from peerprogram.backup.encryption import age_recipients
from peerprogram.backup.errors import BackupError


def backup_settings(**kwargs: Any) -> list[CheckMessage]:
    """Every key in BACKUP_AGE_RECIPIENTS is an age public key; BACKUP_KEEP_DAYS is 1 or more."""
    problems: list[CheckMessage] = []
    for key in settings.BACKUP_AGE_RECIPIENTS:
        if not key.strip():
            continue
        try:
            age_recipients([key])
        except BackupError as error:
            problems.append(Error(str(error), id="backup.E001"))
    if settings.BACKUP_KEEP_DAYS < 1:
        problems.append(
            Error(
                f"BACKUP_KEEP_DAYS is {settings.BACKUP_KEEP_DAYS}; it must be 1 or more.",
                id="backup.E002",
            )
        )
    return problems
