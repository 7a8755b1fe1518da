"""Backup and restore of the whole database: one archive holding the dump and a manifest.

SQLite is copied with SQLite's online backup API and PostgreSQL with `pg_dump
--format=custom`; both give a consistent snapshot while the app keeps writing. The
manifest's row counts and notes checksum are read from that same snapshot, so a restore
can prove that it brought every row back. The archive holds health data: it is written
with mode 0600 (owner only) and, with BACKUP_AGE_RECIPIENTS set, encrypted with age
(https://age-encryption.org) to public keys whose private keys are kept off the server.
"""

from __future__ import annotations

import copy
import datetime
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections, transaction
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from psycopg import IsolationLevel

from journal.models import CONTENT_FIELDS, NoteVersion
from peerprogram.backup.encryption import AGE_MAGIC, age_decrypt, age_encrypt, age_recipients
from peerprogram.backup.errors import BackupError, archive_damaged

FORMAT = "peerprogram-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHUNK = 1024 * 1024
# The names backup_create gives its archives (retention deletes only files named so).
ARCHIVE_NAME = re.compile(r"peerprogram-(?P<made>\d{8}T\d{6}Z)\.tar\.gz(?:\.age)?")
ARCHIVE_TIME = "%Y%m%dT%H%M%SZ"
GZIP_MAGIC = b"\x1f\x8b"


# What the manifest records, read the same way at backup and at restore ----------------


def notes_checksum(*, using: str) -> str:
    """SHA-256 of every note version's text with its note, patient and number, in a fixed order.

    One JSON line per version, ordered by note and version number, so the same notes give
    the same checksum on SQLite and PostgreSQL.
    """
    digest = hashlib.sha256()
    rows = (
        NoteVersion.objects.using(using)
        .order_by("note_id", "number")
        .values_list(
            "note_id",
            "note__patient_id",
            "note__patient__name",
            "note__patient__reference",
            "number",
            "status",
            *CONTENT_FIELDS,
        )
    )
    for row in rows.iterator(chunk_size=2000):
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def _counted_models() -> list:
    """Every model with a table of its own, the many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def row_counts(*, using: str) -> dict[str, int]:
    """Rows per model ("journal.Note": 12), for the models whose table exists in `using`."""
    tables = set(connections[using].introspection.table_names())
    return {
        model._meta.label: model._base_manager.using(using).count()
        for model in sorted(_counted_models(), key=lambda model: model._meta.label)
        if model._meta.db_table in tables
    }


def latest_migrations(*, using: str) -> dict[str, str]:
    """The last applied migration of each app ("journal": "0012_…")."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        latest[app_label] = max(name, latest.get(app_label, name))
    return dict(sorted(latest.items()))


# Connections and PostgreSQL's client programs -----------------------------------------


@contextmanager
def extra_connection(*, like: str, **changes: Any) -> Iterator[str]:
    """A connection of its own, under a new alias, with `like`'s settings and `changes`."""
    settings_dict = {**copy.deepcopy(connections[like].settings_dict), **changes}
    # A connection pool would outlive the alias; this connection is closed on leaving.
    settings_dict["OPTIONS"] = {
        key: value for key, value in settings_dict["OPTIONS"].items() if key != "pool"
    }
    alias = f"{like}-{uuid.uuid4().hex[:12]}"
    backend = load_backend(settings_dict["ENGINE"])
    connections[alias] = backend.DatabaseWrapper(settings_dict, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """Environment for pg_dump, pg_restore and createdb: the server and login of Django's settings.

    The password travels in PGPASSWORD, never on the command line where `ps` shows it.
    """
    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def pg_tool(name: str) -> tuple[str, int]:
    """The path and major version of a PostgreSQL client program (pg_dump, pg_restore)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found. It comes with PostgreSQL's client programs: install the "
            f"Debian package postgresql-client (apt-get install postgresql-client) and try again."
        )
    answer = subprocess.run(  # noqa: S603 - a program found on PATH, no user input
        [path, "--version"], capture_output=True, text=True, check=False
    )
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", answer.stdout)
    if match is None:
        raise BackupError(f"Could not read the version of {path}: {answer.stdout.strip()!r}")
    return path, int(match.group(1))


def _run(command: list[str], *, env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - our own arguments, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed (exit code {done.returncode}): {done.stderr.strip()}")


# Backup -------------------------------------------------------------------------------


def _snapshot_facts(*, using: str) -> dict[str, Any]:
    return {
        "migrations": latest_migrations(using=using),
        "row_counts": row_counts(using=using),
        "notes_checksum": notes_checksum(using=using),
    }


def _sqlite_dump(*, using: str, path: Path) -> dict[str, Any]:
    """Copy the database page by page; SQLite holds a read lock for the one step.

    It copies from Django's own connection, so an in-memory database (the tests') works too.
    """
    connection = connections[using]
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    # Count the copy, not the live database: the manifest then describes the dump exactly.
    with extra_connection(like=using, NAME=str(path)) as snapshot:
        return _snapshot_facts(using=snapshot)


def _postgresql_dump(*, using: str, path: Path) -> dict[str, Any]:
    """pg_dump in a snapshot shared with a transaction of ours, which counts the same rows."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    tool, tool_major = pg_tool("pg_dump")
    connection = connections[using]
    if not isinstance(connection, DatabaseWrapper):
        raise BackupError(f"The database {using} is not PostgreSQL.")
    server_major = connection.pg_version // 10000
    if tool_major < server_major:
        raise BackupError(
            f"pg_dump {tool_major} is older than the PostgreSQL server ({server_major}); pg_dump "
            f"must be the server's major version or newer. Install postgresql-client-"
            f"{server_major} (Debian package) or newer and try again."
        )
    options = {
        **connections[using].settings_dict["OPTIONS"],
        "isolation_level": IsolationLevel.REPEATABLE_READ,
    }
    settings_dict = connections[using].settings_dict
    with (
        extra_connection(like=using, OPTIONS=options) as snapshot,
        transaction.atomic(using=snapshot),
    ):
        with connections[snapshot].cursor() as cursor:
            # Raw SQL, unavoidable: only this function hands our snapshot to pg_dump.
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot_id,) = cursor.fetchone()
        _run(
            [
                tool,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot_id}",
                f"--file={path}",
                f"--dbname={settings_dict['NAME']}",
            ],
            env=pg_environment(settings_dict),
        )
        facts = _snapshot_facts(using=snapshot)
    return {**facts, "server_version": server_major, "pg_dump_version": tool_major}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def backup_create(
    *, using: str, output_dir: Path, recipients: Sequence[str] = ()
) -> tuple[Path, dict[str, Any]]:
    """Write peerprogram-<UTC time>.tar.gz (mode 0600) into `output_dir`, with its manifest;
    with `recipients` (age public keys) it is encrypted to them, as ….tar.gz.age."""
    engine = connections[using].vendor
    if engine not in DUMP_NAMES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")
    age_keys = age_recipients(recipients)
    now = timezone.now().astimezone(datetime.UTC)
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _remove_stale_work_folders(output_dir)
    suffix = ".tar.gz.age" if age_keys else ".tar.gz"
    final = output_dir / f"peerprogram-{now:{ARCHIVE_TIME}}{suffix}"
    if final.exists():
        raise BackupError(f"{final} exists already. Wait a second and try again.")
    dump_name = DUMP_NAMES[engine]
    # Everything stays inside the output folder, in a work folder only we can read (0700).
    # The plain dump and tar.gz exist there only until the encrypted archive is written.
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as workdir:
        dump = Path(workdir) / dump_name
        dumper = _sqlite_dump if engine == "sqlite" else _postgresql_dump
        facts = dumper(using=using, path=dump)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "engine": engine,
            "created_at": now.isoformat(timespec="seconds"),
            "dump": dump_name,
            "dump_sha256": _sha256(dump),
            **facts,
        }
        # mkstemp creates the file with mode 0600 whatever the umask: never readable by others.
        handle, partial = tempfile.mkstemp(dir=workdir, suffix=".tar.gz")
        with os.fdopen(handle, "wb") as file:
            with tarfile.open(fileobj=file, mode="w:gz") as tar:
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, arcname=dump_name, recursive=False, filter=_owner_only)
            file.flush()
            os.fsync(file.fileno())
        if age_keys:
            handle, encrypted = tempfile.mkstemp(dir=workdir, suffix=suffix)
            with open(partial, "rb") as source, os.fdopen(handle, "wb") as file:
                age_encrypt(source=source, target=file, recipients=age_keys)
                file.flush()
                os.fsync(file.fileno())
            partial = encrypted
        os.replace(partial, final)
    return final, manifest


# A backup that was killed (SIGKILL, a power cut) leaves its work folder, with the plain
# dump inside: the next backup removes any older than this.
STALE_WORK_SECONDS = 24 * 60 * 60


def _remove_stale_work_folders(output_dir: Path) -> None:
    """The `.backup-*` work folders of backups that never finished (not a running one:
    only those untouched for a day), so no plain dump stays beside the encrypted archives."""
    cutoff = time.time() - STALE_WORK_SECONDS
    for folder in output_dir.glob(".backup-*"):
        if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _owner_only(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


# Restore ------------------------------------------------------------------------------


def _read_archive(
    archive: Path, workdir: Path, *, identity: Path | None
) -> tuple[dict[str, Any], Path]:
    """The manifest, and the dump copied into `workdir` after its checksum is checked.

    An encrypted archive is decrypted into `workdir` first (it is the system's temporary
    folder, mode 0700), and only a plain copy that age has authenticated is read on.
    """
    not_ours = f"{archive} is not a Peerprogram backup archive"
    try:
        with archive.open("rb") as file:
            head = file.read(len(AGE_MAGIC))
    except OSError as error:
        raise BackupError(f"Could not read {archive} ({error.strerror}).") from None
    tar_gz = archive
    if head == AGE_MAGIC:
        tar_gz = workdir / "archive.tar.gz"
        age_decrypt(archive, identity=identity, target=tar_gz)
    elif not head.startswith(GZIP_MAGIC):
        if not head or archive.name.endswith(".age"):
            raise archive_damaged(archive)
        raise BackupError(f"{not_ours} (it is neither a tar.gz file nor encrypted with age).")
    try:
        manifest, dump = _extract(tar_gz, workdir)
    except (OSError, EOFError, zlib.error, tarfile.TarError, ValueError) as error:
        if not _gzip_is_whole(tar_gz):
            raise archive_damaged(archive) from error
        raise BackupError(f"{not_ours} ({error}).") from error
    finally:
        if tar_gz != archive:
            tar_gz.unlink()
    if not isinstance(manifest, dict):
        raise BackupError(f"{not_ours} (it holds no {MANIFEST_NAME}).")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{not_ours} (its manifest is of another kind).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} has backup format {manifest.get('format_version')}; this version "
            f"of Peerprogram reads format {FORMAT_VERSION}. Restore it with the version "
            f"that made it."
        )
    dump_name = manifest.get("dump")
    if dump_name not in DUMP_NAMES.values():
        raise BackupError(f"{not_ours} (unknown dump {dump_name!r}).")
    if dump is None:
        raise BackupError(f"{not_ours} ({dump_name} is not a file in it).")
    if _sha256(dump) != manifest.get("dump_sha256"):
        raise BackupError(
            f"{archive} is damaged: the database dump inside does not match its checksum."
        )
    return manifest, dump


def _extract(tar_gz: Path, workdir: Path) -> tuple[Any, Path | None]:
    """Read the tar.gz once, front to back: the manifest (it comes first), then the dump it
    names, into `workdir`. Reading on to the very end makes gzip check its CRC-32 and length
    of everything, so a changed byte or a cut end is found even after the dump."""
    manifest: Any = None
    dump = None
    with gzip.open(tar_gz, "rb") as stream:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for member in tar:
                content = tar.extractfile(member)
                if content is None:
                    continue
                if member.name == MANIFEST_NAME and manifest is None:
                    manifest = json.load(content)
                elif (
                    isinstance(manifest, dict)
                    and member.name == manifest.get("dump")
                    and member.name in DUMP_NAMES.values()
                ):
                    dump = workdir / member.name
                    with dump.open("wb") as file:
                        shutil.copyfileobj(content, file, CHUNK)
        while stream.read(CHUNK):
            pass
    return manifest, dump


def _gzip_is_whole(path: Path) -> bool:
    """Whether gzip reads `path` to its end with every checksum right."""
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(CHUNK):
                pass
    except (OSError, EOFError, zlib.error):
        return False
    return True


def _refuse_unknown_migrations(manifest: dict[str, Any]) -> None:
    """An archive from a newer Peerprogram has tables this code cannot describe."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    installed = {config.label for config in apps.get_app_configs()}
    unknown = [
        f"{app_label}.{name}"
        for app_label, name in manifest["migrations"].items()
        if app_label in installed and (app_label, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"The archive was made by a newer version of Peerprogram (migration "
            f"{', '.join(unknown)} is unknown here). Restore it with that version."
        )


def tables_with_rows(*, using: str) -> list[str]:
    """The model tables in `using` that hold at least one row, by name."""
    tables = set(connections[using].introspection.table_names())
    return sorted(
        model._meta.db_table
        for model in _counted_models()
        if model._meta.db_table in tables and model._base_manager.using(using).exists()
    )


def _sqlite_load(*, dump: Path, using: str) -> None:
    """Copy the dump's pages over the (empty) database with SQLite's backup API."""
    connection = connections[using]
    connection.ensure_connection()
    source = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _postgresql_load(*, dump: Path, using: str, manifest: dict[str, Any]) -> None:
    tool, tool_major = pg_tool("pg_restore")
    made_by = manifest["pg_dump_version"]
    if tool_major < made_by:
        raise BackupError(
            f"pg_restore {tool_major} cannot read an archive made by pg_dump {made_by}. Install "
            f"postgresql-client-{made_by} (Debian package) or newer and try again."
        )
    settings_dict = connections[using].settings_dict
    _run(
        [
            tool,
            "--single-transaction",  # all or nothing
            # Tables that exist without rows are replaced; the dump drops nothing else.
            "--clean",
            "--if-exists",
            # The restored tables belong to the login in Django's settings, the app's own.
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={settings_dict['NAME']}",
            str(dump),
        ],
        env=pg_environment(settings_dict),
    )


def _rows(count: int | None) -> str:
    return "no table" if count is None else f"{count} rows"


def _differences(manifest: dict[str, Any], *, using: str) -> list[str]:
    found = _snapshot_facts(using=using)
    problems = []
    expected, counted = manifest["row_counts"], found["row_counts"]
    for label in sorted(set(expected) | set(counted)):
        if expected.get(label) != counted.get(label):
            problems.append(
                f"{label}: {_rows(counted.get(label))} restored, "
                f"{_rows(expected.get(label))} in the archive"
            )
    if found["notes_checksum"] != manifest["notes_checksum"]:
        problems.append("the checksum of the patient notes differs")
    if found["migrations"] != manifest["migrations"]:
        problems.append("the applied migrations differ")
    return problems


def pending_migrations(*, using: str) -> int:
    """How many of this code's migrations the database has not applied yet."""
    executor = MigrationExecutor(connections[using])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def backup_restore(*, archive: Path, using: str, identity: Path | None = None) -> dict[str, Any]:
    """Load `archive` into the empty database `using`, then prove it matches the manifest.

    An encrypted archive needs `identity`, the file with an age private key it was made for.
    """
    engine = connections[using].vendor
    with tempfile.TemporaryDirectory(prefix="peerprogram-restore-") as workdir:
        manifest, dump = _read_archive(archive, Path(workdir), identity=identity)
        if manifest["engine"] != engine:
            archived = ENGINE_NAMES.get(manifest["engine"], manifest["engine"])
            raise BackupError(
                f"The archive holds a {archived} database, but the configured database is "
                f"{ENGINE_NAMES.get(engine, engine)}. Restore it into a {archived} database: "
                f"restore does not move data between database engines."
            )
        _refuse_unknown_migrations(manifest)
        filled = tables_with_rows(using=using)
        if filled:
            shown = ", ".join(filled[:3]) + (", …" if len(filled) > 3 else "")
            raise BackupError(
                f"Restore needs an empty database, but this one holds data (in {shown}). "
                f"Create a new, empty database (PostgreSQL: createdb; SQLite: a new file) and "
                f"restore into it without running migrate first."
            )
        if engine == "sqlite":
            _sqlite_load(dump=dump, using=using)
        else:
            _postgresql_load(dump=dump, using=using, manifest=manifest)
    problems = _differences(manifest, using=using)
    if problems:
        raise BackupError(
            "The restored database does not match the archive: "
            + "; ".join(problems)
            + ". Do not use it: delete it and restore again from a sound archive."
        )
    return manifest
