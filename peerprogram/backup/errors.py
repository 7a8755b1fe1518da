"""The one error of backup and restore: a CommandError, so the command prints its sentence
and exits with a failure, never a traceback."""

from pathlib import Path

from django.core.management.base import CommandError


class BackupError(CommandError):
    """A backup or restore that cannot go on; the message says what to do."""


def archive_damaged(archive: Path) -> BackupError:
    """The one sentence for an archive cut short or changed, plain or encrypted."""
    return BackupError(
        f"{archive} is damaged or incomplete, so it cannot be restored: copy it again from "
        f"where it is kept, or restore an older archive."
    )
