"""A damaged or cut archive, plain or encrypted, is refused with one sentence before anything
is restored: gzip's CRC-32 covers the whole plain archive (it is read to its very end), and
age authenticates every 64 KiB chunk and marks the last one.

The two archives are written once for the module, from the freshly migrated test database;
each test damages a copy.
"""

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyrage
import pytest
from django.core.management import call_command

from peerprogram.backup.archive import backup_create
from peerprogram.backup.encryption import age_encrypt, age_recipients
from peerprogram.backup.errors import BackupError

KEY = pyrage.x25519.Identity.generate()
AGE_CHUNK = 64 * 1024 + 16  # a chunk of age's payload with its authentication tag


@pytest.fixture(scope="module")
def archives(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("archives")
    with django_db_blocker.unblock():
        plain, _ = backup_create(using="default", output_dir=folder / "plain")
        encrypted, _ = backup_create(
            using="default", output_dir=folder / "encrypted", recipients=[str(KEY.to_public())]
        )
    identity = folder / "key.txt"
    identity.write_text(f"{KEY}\n")
    return {"plain": plain, "encrypted": encrypted, "identity": identity}


def _flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def _first_chunk_only(data: bytes) -> bytes:
    """Cut exactly after age's first chunk (header, 16-byte nonce, one chunk)."""
    header_end = data.index(b"\n", data.index(b"\n---") + 1) + 1
    return data[: header_end + 16 + AGE_CHUNK]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "half-of-the-file": lambda data: data[: len(data) // 2],
    "5-bytes-cut-from-the-end": lambda data: data[:-5],
    "1-byte-cut-from-the-end": lambda data: data[:-1],
    "a-changed-byte-in-the-middle": _flip_middle_byte,
    "a-changed-last-byte": lambda data: data[:-1] + bytes([data[-1] ^ 0x01]),
    "all-but-the-first-100-bytes-cut": lambda data: data[:100],
    "an-empty-file": lambda data: b"",
}


def _damaged_copy(archive: Path, tmp_path: Path, damage: Callable[[bytes], bytes]) -> Path:
    copy = tmp_path / archive.name
    copy.write_bytes(damage(archive.read_bytes()))
    return copy


def _restore(archive: Path, identity: Path) -> None:
    call_command("restore", str(archive), identity=identity)


@pytest.mark.parametrize("kind", ["plain", "encrypted"])
@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_archive_is_refused_with_one_sentence(db, archives, tmp_path, kind, damage):
    damaged = _damaged_copy(archives[kind], tmp_path, damage)
    with pytest.raises(BackupError) as refused:
        _restore(damaged, archives["identity"])
    assert str(refused.value) == (
        f"{damaged} is damaged or incomplete, so it cannot be restored: copy it again from "
        f"where it is kept, or restore an older archive."
    )


def test_an_encrypted_archive_cut_exactly_after_a_chunk_is_refused(db, archives, tmp_path):
    """At the end of a chunk only age's mark on the last chunk shows the cut. The module's
    archives fit in one chunk, so this one is three chunks of random bytes."""
    whole = tmp_path / "whole" / archives["encrypted"].name
    whole.parent.mkdir()
    with io.BytesIO(os.urandom(3 * 64 * 1024)) as source, whole.open("wb") as target:
        age_encrypt(source=source, target=target, recipients=age_recipients([str(KEY.to_public())]))
    damaged = _damaged_copy(whole, tmp_path, _first_chunk_only)
    with pytest.raises(BackupError) as refused:
        _restore(damaged, archives["identity"])
    assert str(refused.value) == (
        f"{damaged} is damaged or incomplete, so it cannot be restored: copy it again from "
        f"where it is kept, or restore an older archive."
    )


def test_an_encrypted_archive_with_a_changed_key_stanza_is_refused(db, archives, tmp_path):
    def change_stanza(data: bytes) -> bytes:
        at = data.index(b"-> X25519 ") + 12
        return data[:at] + (b"A" if data[at : at + 1] != b"A" else b"B") + data[at + 1 :]

    damaged = _damaged_copy(archives["encrypted"], tmp_path, change_stanza)
    with pytest.raises(BackupError) as refused:
        _restore(damaged, archives["identity"])
    assert str(refused.value) == (
        f"The key in {archives['identity']} cannot open {damaged}: it was encrypted to other "
        f"keys (BACKUP_AGE_RECIPIENTS when it was made), or its header is damaged."
    )


@pytest.mark.parametrize("kind", ["plain", "encrypted"])
def test_the_undamaged_copies_pass_the_archive_checks(db, archives, tmp_path, kind):
    """The damage above is what fails: an intact copy gets as far as the empty-database check."""
    copy = tmp_path / archives[kind].name
    shutil.copyfile(archives[kind], copy)
    with pytest.raises(BackupError) as refused:
        _restore(copy, archives["identity"])
    assert str(refused.value).startswith("Restore needs an empty database, but this one holds")
