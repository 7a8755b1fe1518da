"""Encryption of the archives with age (https://age-encryption.org), through pyrage.

The server holds only public keys (BACKUP_AGE_RECIPIENTS), so it cannot read its own old
archives; the private key is needed to restore, and is kept elsewhere. age encrypts in
chunks of 64 KiB, each authenticated, the last one marked as last: a changed byte or a cut
anywhere is found when decrypting. An archive can be opened with the age program too
(`age -d -i key.txt archive.tar.gz.age > archive.tar.gz`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import pyrage  # type: ignore[import-untyped]
from django.conf import settings

from peerprogram.backup.errors import BackupError, archive_damaged

AGE_MAGIC = b"age-encryption.org/v1\n"


def backup_recipients(*, unencrypted: bool) -> list[str]:
    """The age public keys the next archive is encrypted to; none only where that is allowed.

    Without BACKUP_AGE_RECIPIENTS, development writes a plain archive; production (DEBUG off)
    refuses unless `unencrypted` says that someone chose a plain archive of health data.
    """
    keys = [key.strip() for key in settings.BACKUP_AGE_RECIPIENTS if key.strip()]
    if keys and unencrypted:
        raise BackupError(
            "--unencrypted is refused: BACKUP_AGE_RECIPIENTS is set, and every archive of "
            "this server is encrypted to it."
        )
    if not keys and not unencrypted and not settings.DEBUG:
        raise BackupError(
            "BACKUP_AGE_RECIPIENTS is not set, and in production (DEBUG off) an archive of "
            "health data is not written unencrypted: set it to the age public key(s) that may "
            'read the backups (README, "Backup and restore"), or pass --unencrypted to '
            "write a plain archive anyway."
        )
    return keys


def age_recipients(keys: Sequence[str]) -> list[Any]:
    """The age public keys ("age1…") as pyrage recipients; a key that is not one is refused."""
    recipients = []
    for key in keys:
        try:
            recipients.append(pyrage.x25519.Recipient.from_str(key.strip()))
        except pyrage.RecipientError:
            raise BackupError(
                f"BACKUP_AGE_RECIPIENTS holds {key.strip()!r}, which is not an age public key "
                f"(age1…, as age-keygen prints it)."
            ) from None
    return recipients


def age_identities(path: Path) -> list[Any]:
    """The age private keys in an identity file as age-keygen writes it (# starts a comment).

    No message quotes the file's lines: they are secret.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise BackupError(f"Could not read the identity file {path} ({error.strerror}).") from None
    except UnicodeDecodeError:
        raise BackupError(f"{path} is not an age identity file (it is not text).") from None
    identities = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line.strip()))
        except pyrage.IdentityError:
            raise BackupError(
                f"Line {number} of {path} is not an age private key (AGE-SECRET-KEY-1…)."
            ) from None
    if not identities:
        raise BackupError(f"{path} holds no age private key (a line AGE-SECRET-KEY-1…).")
    return identities


class _Sink:
    """The file pyrage writes to. pyrage 1.4.0 does not raise an error of its final write
    (a small archive on a full disk came out short without a word); the sink keeps it."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.error: OSError | None = None

    def write(self, data: bytes) -> int:
        try:
            return self.file.write(data)
        except OSError as error:
            self.error = error
            raise


def age_encrypt(*, source: IO[bytes], target: IO[bytes], recipients: Sequence[Any]) -> None:
    """Encrypt `source` into `target` in 64 KiB chunks (age's STREAM): memory stays small."""
    sink = _Sink(target)
    failure: Exception | None = None
    try:
        pyrage.encrypt_io(source, sink, list(recipients))
    except pyrage.EncryptError as error:
        failure = error
    failure = sink.error or failure
    if failure is not None:
        raise BackupError(f"Could not write the encrypted archive ({failure}).") from failure


def age_decrypt(archive: Path, *, identity: Path | None, target: Path) -> None:
    """Decrypt `archive` into `target`. age authenticates every chunk and the last one, so a
    changed byte or a cut anywhere fails here, before anything is restored."""
    if identity is None:
        raise BackupError(
            f"{archive} is encrypted: give the file with its age private key with --identity "
            f"FILE (or BACKUP_AGE_IDENTITY_FILE)."
        )
    identities = age_identities(identity)
    try:
        with archive.open("rb") as source, target.open("wb") as file:
            pyrage.decrypt_io(source, file, identities)
    except pyrage.DecryptError as error:
        if str(error) == "No matching keys found":
            raise BackupError(
                f"The key in {identity} cannot open {archive}: it was encrypted to other keys "
                f"(BACKUP_AGE_RECIPIENTS when it was made), or its header is damaged."
            ) from error
        raise archive_damaged(archive) from error
    except OSError as error:
        # age's own findings ("decryption error", "age file is truncated") carry no errno.
        if error.errno is None:
            raise archive_damaged(archive) from error
        raise BackupError(f"Could not decrypt {archive} ({error.strerror}).") from error
