"""How long archives are kept: after each successful backup, the archives older than
BACKUP_KEEP_DAYS are deleted, so that data removed from the database (notes past their
retention, anonymised applicants) is gone from the backups too after that many days."""

from __future__ import annotations

import datetime
from pathlib import Path

from peerprogram.backup.archive import ARCHIVE_NAME, ARCHIVE_TIME
from peerprogram.backup.errors import BackupError


def archive_made_at(name: str) -> datetime.datetime | None:
    """When backup_create wrote the archive of this file name; None for any other name."""
    match = ARCHIVE_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        made = datetime.datetime.strptime(match["made"], ARCHIVE_TIME)
    except ValueError:
        return None
    return made.replace(tzinfo=datetime.UTC)


def backup_prune(
    *, folder: Path, keep_days: int, now: datetime.datetime, written: Path
) -> list[Path]:
    """Delete the archives in `folder` made more than `keep_days` days before `now`.

    Only files named as backup_create names them, never `written` (the new one), never
    anything else. Their age is read from the name, which a copy keeps, not from the file.
    """
    if keep_days < 1:
        raise BackupError(
            f"{written} was written, but BACKUP_KEEP_DAYS is {keep_days}; it must be 1 or "
            f"more, so nothing was deleted."
        )
    cutoff = now - datetime.timedelta(days=keep_days)
    removed, failed = [], []
    for path in sorted(folder.iterdir()):
        made = archive_made_at(path.name)
        if made is None or made >= cutoff or path == written:
            continue
        if path.is_symlink() or not path.is_file():
            continue
        try:
            path.unlink()
        except OSError as error:
            failed.append(f"{path.name} ({error.strerror})")
        else:
            removed.append(path)
    if failed:
        raise BackupError(
            f"{written} was written, but archives older than {keep_days} days could not be "
            f"deleted: {', '.join(failed)}."
        )
    return removed
