"""Restoring an encrypted archive needs the age private key: without it, or with the wrong
one, or with an identity file that holds none, the restore stops with one sentence and
quotes nothing from the key file. The archive is written once for the module."""

import errno
import io
from pathlib import Path

import pyrage
import pytest
from django.core.checks import Error
from django.core.management import call_command

from peerprogram.backup.archive import backup_create
from peerprogram.backup.checks import backup_settings
from peerprogram.backup.encryption import age_encrypt, age_recipients
from peerprogram.backup.errors import BackupError

KEY = pyrage.x25519.Identity.generate()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    with django_db_blocker.unblock():
        archive, _ = backup_create(
            using="default",
            output_dir=tmp_path_factory.mktemp("backups"),
            recipients=[str(KEY.to_public())],
        )
    return archive


@pytest.fixture(autouse=True)
def no_identity_setting(settings):
    settings.BACKUP_AGE_IDENTITY_FILE = ""


def _restore(archive: Path, **options) -> None:
    call_command("restore", str(archive), stdout=io.StringIO(), **options)


def test_an_encrypted_archive_without_an_identity_is_refused(db, archive):
    with pytest.raises(BackupError) as refused:
        _restore(archive)
    assert str(refused.value) == (
        f"{archive} is encrypted: give the file with its age private key with --identity FILE "
        f"(or BACKUP_AGE_IDENTITY_FILE)."
    )


def test_a_key_the_archive_was_not_encrypted_to_is_refused(db, archive, tmp_path):
    other = tmp_path / "other-key.txt"
    other.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    with pytest.raises(BackupError) as refused:
        _restore(archive, identity=other)
    assert str(refused.value) == (
        f"The key in {other} cannot open {archive}: it was encrypted to other keys "
        f"(BACKUP_AGE_RECIPIENTS when it was made), or its header is damaged."
    )


def test_the_identity_file_comes_from_the_setting_when_not_given(db, archive, tmp_path, settings):
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# public key: {KEY.to_public()}\n{KEY}\n")
    settings.BACKUP_AGE_IDENTITY_FILE = str(key_file)
    # The key opens the archive; the test database is not empty, which is the next check.
    with pytest.raises(BackupError) as refused:
        _restore(archive)
    assert str(refused.value).startswith("Restore needs an empty database, but this one holds")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Could not read the identity file {path} (No such file or directory)."),
        ("# created by hand\n\n", "{path} holds no age private key (a line AGE-SECRET-KEY-1…)."),
        (
            "# public key: age1…\nAGE-SECRET-KEY-1NOTAKEY\n",
            "Line 2 of {path} is not an age private key (AGE-SECRET-KEY-1…).",
        ),
        (b"\xff\xfe\x00", "{path} is not an age identity file (it is not text)."),
    ],
    ids=["missing", "no-key", "not-a-key", "not-text"],
)
def test_an_identity_file_without_a_usable_key_is_refused(db, archive, tmp_path, content, message):
    path = tmp_path / "key.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(BackupError) as refused:
        _restore(archive, identity=path)
    assert str(refused.value) == message.format(path=path)


def test_a_failed_final_write_of_the_encrypted_archive_is_reported(tmp_path):
    """pyrage does not raise an error of its last write; a full disk must not pass unseen."""

    class FullDisk(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(BackupError) as failed:
        age_encrypt(
            source=io.BytesIO(b"x"),
            target=FullDisk(),
            recipients=age_recipients([str(KEY.to_public())]),
        )
    assert str(failed.value) == (
        "Could not write the encrypted archive ([Errno 28] No space left on device)."
    )


def test_the_system_check_names_a_mistyped_key_and_a_keep_time_below_one_day(settings):
    settings.BACKUP_AGE_RECIPIENTS = [str(KEY.to_public()), "age1mistyped", ""]
    settings.BACKUP_KEEP_DAYS = 0
    assert backup_settings() == [
        Error(
            "BACKUP_AGE_RECIPIENTS holds 'age1mistyped', which is not an age public key "
            "(age1…, as age-keygen prints it).",
            id="backup.E001",
        ),
        Error("BACKUP_KEEP_DAYS is 0; it must be 1 or more.", id="backup.E002"),
    ]
    settings.BACKUP_AGE_RECIPIENTS = [str(KEY.to_public())]
    settings.BACKUP_KEEP_DAYS = 30
    assert backup_settings() == []
