"""After a successful backup, the archives older than BACKUP_KEEP_DAYS are deleted from the
folder: only files named as the backup command names them, judged by the time in the name."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from peerprogram.backup.errors import BackupError
from peerprogram.backup.retention import archive_made_at, backup_prune

NOW = datetime.datetime(2025, 3, 31, 2, 0, tzinfo=datetime.UTC)


def _name(made: datetime.datetime, suffix: str = ".tar.gz.age") -> str:
    return f"peerprogram-{made:%Y%m%dT%H%M%SZ}{suffix}"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A backup folder of 40 nights, plain and encrypted, with other files among them."""
    folder = tmp_path / "backups"
    folder.mkdir()
    for night in range(40):
        made = NOW - datetime.timedelta(days=night)
        (folder / _name(made, ".tar.gz.age" if night % 2 else ".tar.gz")).write_bytes(b"x")
    old = NOW - datetime.timedelta(days=90)
    (folder / "notes.txt").write_text("keep")
    (folder / f"{_name(old)}.part").write_bytes(b"keep")
    (folder / f"copy-of-{_name(old)}").write_bytes(b"keep")
    (folder / "peerprogram-20241399T250000Z.tar.gz").write_bytes(b"keep")  # no such time
    (folder / _name(old, ".tar.gz.AGE")).write_bytes(b"keep")
    (folder / _name(old, ".tar.xz")).write_bytes(b"keep")
    (folder / _name(old, "")).mkdir()
    (folder / ".backup-work").mkdir()
    outside = tmp_path / "elsewhere.tar.gz"
    outside.write_bytes(b"keep")
    (folder / _name(old, ".tar.gz")).symlink_to(outside)
    return folder


def test_prune_deletes_the_archives_older_than_the_kept_days_and_nothing_else(folder):
    before = {path.name for path in folder.iterdir()}
    written = folder / _name(NOW)

    removed = backup_prune(folder=folder, keep_days=30, now=NOW, written=written)

    expected = [
        _name(NOW - datetime.timedelta(days=night), ".tar.gz.age" if night % 2 else ".tar.gz")
        for night in range(39, 30, -1)
    ]
    assert [path.name for path in removed] == expected
    assert {path.name for path in folder.iterdir()} == before - set(expected)
    # 30 days ago to the second is kept: "older than 30 days" only.
    assert (folder / _name(NOW - datetime.timedelta(days=30), ".tar.gz")).exists()
    assert (folder.parent / "elsewhere.tar.gz").exists()


def test_prune_never_deletes_the_archive_just_written(tmp_path):
    written = tmp_path / _name(NOW - datetime.timedelta(days=400))
    written.write_bytes(b"x")
    assert backup_prune(folder=tmp_path, keep_days=1, now=NOW, written=written) == []
    assert written.exists()


def test_prune_refuses_to_keep_less_than_a_day(folder):
    written = folder / _name(NOW)
    before = sorted(folder.iterdir())
    with pytest.raises(BackupError) as refused:
        backup_prune(folder=folder, keep_days=0, now=NOW, written=written)
    assert str(refused.value) == (
        f"{written} was written, but BACKUP_KEEP_DAYS is 0; it must be 1 or more, so nothing "
        f"was deleted."
    )
    assert sorted(folder.iterdir()) == before


def test_prune_names_the_archives_it_could_not_delete(tmp_path, monkeypatch):
    stuck, old = (tmp_path / _name(NOW - datetime.timedelta(days=d)) for d in (60, 61))
    stuck.write_bytes(b"x")
    old.write_bytes(b"x")
    unlink = Path.unlink

    def refused_for_stuck(path, *args, **kwargs):
        if path == stuck:
            raise PermissionError(13, "Permission denied")
        return unlink(path, *args, **kwargs)

    # The file system is the edge here: the suite may run as root, who may delete anything.
    monkeypatch.setattr(Path, "unlink", refused_for_stuck)
    with pytest.raises(BackupError) as failed:
        backup_prune(folder=tmp_path, keep_days=30, now=NOW, written=tmp_path / "new")
    assert str(failed.value) == (
        f"{tmp_path / 'new'} was written, but archives older than 30 days could not be "
        f"deleted: {stuck.name} (Permission denied)."
    )
    assert not old.exists()


def test_the_time_of_an_archive_is_read_from_its_name():
    assert archive_made_at("peerprogram-20250331T020000Z.tar.gz.age") == NOW
    assert archive_made_at("peerprogram-20250331T020000Z.tar.gz") == NOW
    assert archive_made_at("peerprogram-20250331T020000Z.tar.gz.age.part") is None
    assert archive_made_at("peerprogram-20251331T020000Z.tar.gz") is None


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_writes_to_backup_dir_and_prints_what_it_deleted(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP_DAYS = 7
    settings.BACKUP_AGE_RECIPIENTS = []
    settings.BACKUP_DIR.mkdir()
    old = settings.BACKUP_DIR / "peerprogram-20200101T020000Z.tar.gz.age"
    old.write_bytes(b"x")
    other = settings.BACKUP_DIR / "peerprogram-20200101T020000Z.sql"
    other.write_bytes(b"x")
    out = io.StringIO()

    call_command("backup", unencrypted=True, stdout=out, stderr=io.StringIO())

    lines = out.getvalue().splitlines()
    archive = Path(lines[-1])
    assert archive.parent == settings.BACKUP_DIR
    assert lines[1:-1] == ["Deleted peerprogram-20200101T020000Z.tar.gz.age: older than 7 days."]
    assert sorted(path.name for path in settings.BACKUP_DIR.iterdir()) == sorted(
        [archive.name, other.name]
    )


def test_a_killed_backups_work_folder_is_removed_by_the_next_after_a_day(tmp_path):
    """Its plain dump must not stay beside the encrypted archives; a running backup's
    folder (touched within the day) is left alone."""
    import os
    import time

    from peerprogram.backup.archive import STALE_WORK_SECONDS, _remove_stale_work_folders

    old = tmp_path / ".backup-killed"
    old.mkdir()
    (old / "db.sqlite3").write_bytes(b"plain")
    long_ago = time.time() - STALE_WORK_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    running = tmp_path / ".backup-running"
    running.mkdir()
    kept = tmp_path / "notes.txt"
    kept.write_text("not ours")
    _remove_stale_work_folders(tmp_path)
    assert not old.exists() and running.exists() and kept.exists()
