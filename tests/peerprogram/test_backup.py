"""The backup and restore commands, on whichever engine the suite runs (SQLite or PostgreSQL).

pg_dump only sees committed rows, so the tests that write an archive use transactional
databases. The restore goes into a second, new database: a temporary SQLite file, or a
PostgreSQL database made with createdb and dropped afterwards. The suite runs with DEBUG
off, as production does: a plain archive needs --unencrypted there.
"""

import datetime
import io
import json
import shutil
import stat
import subprocess
import tarfile
import uuid
from pathlib import Path

import pyrage
import pytest
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from journal import services
from journal.models import Note, NoteVersion, Patient
from peerprogram.backup.archive import (
    BackupError,
    extra_connection,
    notes_checksum,
    pg_environment,
    pg_tool,
    row_counts,
)

ON_POSTGRESQL = connections["default"].vendor == "postgresql"


@pytest.fixture(autouse=True)
def no_backup_keys(settings):
    """No keys from a developer's .env: each test sets the ones it uses."""
    settings.BACKUP_AGE_RECIPIENTS = []
    settings.BACKUP_AGE_IDENTITY_FILE = ""


@pytest.fixture(scope="module")
def age_key():
    return pyrage.x25519.Identity.generate()


@pytest.fixture
def identity_file(tmp_path, age_key) -> Path:
    """The private key in a file, as age-keygen writes it."""
    path = tmp_path / "backup-key.txt"
    path.write_text(
        f"# created: 2025-01-01T00:00:00Z\n# public key: {age_key.to_public()}\n{age_key}\n"
    )
    return path


@pytest.fixture
def empty_database(transactional_db, tmp_path):
    """The alias of a new, empty database of the suite's engine."""
    default = connections["default"]
    if default.vendor == "sqlite":
        with extra_connection(like="default", NAME=str(tmp_path / "restored.sqlite3")) as alias:
            yield alias
        return
    name = f"{default.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    env = pg_environment(default.settings_dict)
    subprocess.run([shutil.which("createdb"), name], env=env, check=True)
    try:
        with extra_connection(like="default", NAME=name) as alias:
            yield alias
    finally:
        subprocess.run([shutil.which("dropdb"), "--if-exists", name], env=env, check=True)


def _backup(output: Path, **options) -> Path:
    out = io.StringIO()
    call_command("backup", output=output, stdout=out, stderr=io.StringIO(), **options)
    return Path(out.getvalue().splitlines()[-1])


def _restore(archive: Path, database: str = "default", **options) -> str:
    out = io.StringIO()
    call_command("restore", str(archive), database=database, stdout=out, **options)
    return out.getvalue()


def _patient_with_note(cast, *, reference="F-101", text="Hun talte om sin søster.") -> Note:
    by = cast.peer.staff_member.user
    patient = services.patient_create(
        by=by,
        peer=cast.peer,
        name="Anna",
        reference=reference,
        consent_date=timezone.localdate() - datetime.timedelta(days=3),
        consent_given=Patient.ConsentGiven.ORALLY,
    )
    note = services.note_start(
        patient=patient,
        peer=cast.peer,
        by=by,
        date=timezone.localdate(),
        place="outpatient",
        activity="conversation",
        minutes=45,
    )
    draft = services.draft_of(note)
    services.draft_save(
        draft=draft, by=by, expected_version=draft.version, changes={"connectedness": text}
    )
    return note


def _manifest(archive: Path, key=None) -> dict:
    data = archive.read_bytes()
    if key is not None:
        data = pyrage.decrypt(data, [key])
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return json.load(tar.extractfile("manifest.json"))


def _rewrite_manifest(archive: Path, **changes) -> None:
    """Change the manifest inside the archive, as someone tampering with it would."""
    with tarfile.open(archive) as tar:
        members = [(member, tar.extractfile(member).read()) for member in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            if member.name == "manifest.json":
                data = json.dumps({**json.loads(data), **changes}).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


@pytest.fixture
def small_archive(transactional_db, cast, tmp_path) -> Path:
    _patient_with_note(cast)
    return _backup(tmp_path / "backups", unencrypted=True)


@pytest.fixture
def encrypted_archive(transactional_db, cast, tmp_path, settings, age_key) -> Path:
    _patient_with_note(cast)
    settings.BACKUP_AGE_RECIPIENTS = [str(age_key.to_public())]
    return _backup(tmp_path / "backups")


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_bring_back_the_demo_programme_with_the_same_notes(
    tmp_path, empty_database, demo_programme, settings, age_key, identity_file, encrypted
):
    if encrypted:
        settings.BACKUP_AGE_RECIPIENTS = [str(age_key.to_public())]
        archive = _backup(tmp_path / "backups")
        assert archive.name.endswith("Z.tar.gz.age")
        output = _restore(archive, database=empty_database, identity=identity_file)
    else:
        archive = _backup(tmp_path / "backups", unencrypted=True)
        assert archive.name.endswith("Z.tar.gz")
        output = _restore(archive, database=empty_database)

    source_counts = row_counts(using="default")
    restored_counts = row_counts(using=empty_database)
    assert restored_counts == source_counts
    assert source_counts["journal.NoteVersion"] == NoteVersion.objects.count() > 0
    assert source_counts["journal.Patient_peers"] > 0
    assert notes_checksum(using=empty_database) == notes_checksum(using="default")
    manifest = _manifest(archive, age_key if encrypted else None)
    assert manifest["row_counts"] == source_counts
    assert manifest["notes_checksum"] == notes_checksum(using="default")
    texts = ("note_id", "note__patient__reference", "number", "hope", "patient_words")
    assert list(NoteVersion.objects.using(empty_database).values_list(*texts)) == list(
        NoteVersion.objects.values_list(*texts)
    )
    assert output == (
        f"Restored {sum(source_counts.values())} rows in {len(source_counts)} tables from the "
        f"backup of {manifest['created_at']}; the row counts and the notes checksum match the "
        f"archive.\n"
    )


def test_the_archive_is_readable_by_its_owner_only(small_archive):
    assert small_archive.name.startswith("peerprogram-")
    assert small_archive.name.endswith("Z.tar.gz")
    assert stat.S_IMODE(small_archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(small_archive.parent.stat().st_mode) == 0o700
    assert [path.name for path in small_archive.parent.iterdir()] == [small_archive.name]


def test_the_encrypted_archive_is_readable_by_its_owner_only_and_only_with_the_key(
    encrypted_archive, age_key
):
    assert encrypted_archive.name.startswith("peerprogram-")
    assert encrypted_archive.name.endswith("Z.tar.gz.age")
    assert stat.S_IMODE(encrypted_archive.stat().st_mode) == 0o600
    # The plain dump and tar.gz of the work folder are gone.
    assert [path.name for path in encrypted_archive.parent.iterdir()] == [encrypted_archive.name]
    data = encrypted_archive.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n-> X25519 ")
    for plain in (b"manifest.json", b"SQLite format 3", b"PGDMP", "søster".encode()):
        assert plain not in data
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(data, [pyrage.x25519.Identity.generate()])
    assert _manifest(encrypted_archive, age_key)["row_counts"]["journal.NoteVersion"] == 1


def test_every_recipient_can_open_the_archive(transactional_db, tmp_path, settings):
    keys = [pyrage.x25519.Identity.generate() for _ in range(2)]
    settings.BACKUP_AGE_RECIPIENTS = [f" {key.to_public()}" for key in keys]
    archive = _backup(tmp_path / "backups")
    for key in keys:
        assert _manifest(archive, key)["format"] == "peerprogram-backup"


def test_the_manifest_names_engine_migrations_row_counts_and_notes_checksum(small_archive):
    manifest = _manifest(small_archive)
    latest_journal = max(
        name for app, name in MigrationLoader(None).disk_migrations if app == "journal"
    )
    assert manifest["format"] == "peerprogram-backup"
    assert manifest["format_version"] == 1
    assert manifest["engine"] == connections["default"].vendor
    assert manifest["dump"] == ("database.pgdump" if ON_POSTGRESQL else "database.sqlite3")
    assert manifest["migrations"]["journal"] == latest_journal
    assert manifest["row_counts"] == row_counts(using="default")
    assert manifest["row_counts"]["journal.NoteVersion"] == 1
    assert manifest["notes_checksum"] == notes_checksum(using="default")
    assert datetime.datetime.fromisoformat(manifest["created_at"]).utcoffset() == (
        datetime.timedelta(0)
    )
    with tarfile.open(small_archive) as tar:
        assert tar.getnames() == ["manifest.json", manifest["dump"]]


def test_restore_refuses_a_database_that_is_not_empty(small_archive):
    with pytest.raises(BackupError) as refused:
        _restore(small_archive)
    assert str(refused.value) == (
        "Restore needs an empty database, but this one holds data (in auth_permission, "
        "auth_user, django_content_type, …). Create a new, empty database (PostgreSQL: "
        "createdb; SQLite: a new file) and restore into it without running migrate first."
    )
    assert Patient.objects.count() == 1


def test_restore_fails_loudly_when_the_notes_checksum_in_the_manifest_was_changed(
    small_archive, empty_database
):
    _rewrite_manifest(small_archive, notes_checksum="0" * 64)
    with pytest.raises(BackupError) as failed:
        _restore(small_archive, database=empty_database)
    assert str(failed.value) == (
        "The restored database does not match the archive: the checksum of the patient "
        "notes differs. Do not use it: delete it and restore again from a sound archive."
    )


def test_restore_fails_loudly_when_a_row_count_in_the_manifest_was_changed(
    small_archive, empty_database
):
    counts = _manifest(small_archive)["row_counts"]
    _rewrite_manifest(small_archive, row_counts={**counts, "journal.Note": 2})
    with pytest.raises(BackupError) as failed:
        _restore(small_archive, database=empty_database)
    assert str(failed.value) == (
        "The restored database does not match the archive: journal.Note: 1 rows restored, "
        "2 rows in the archive. Do not use it: delete it and restore again from a sound "
        "archive."
    )


def test_restore_refuses_an_archive_of_the_other_engine(small_archive):
    other = "sqlite" if ON_POSTGRESQL else "postgresql"
    _rewrite_manifest(small_archive, engine=other)
    with pytest.raises(BackupError) as refused:
        _restore(small_archive)
    archived, configured = ("SQLite", "PostgreSQL") if ON_POSTGRESQL else ("PostgreSQL", "SQLite")
    assert str(refused.value) == (
        f"The archive holds a {archived} database, but the configured database is "
        f"{configured}. Restore it into a {archived} database: restore does not move data "
        f"between database engines."
    )


def test_restore_refuses_an_archive_from_a_newer_version(small_archive):
    migrations = _manifest(small_archive)["migrations"]
    _rewrite_manifest(small_archive, migrations={**migrations, "journal": "9999_future"})
    with pytest.raises(BackupError) as refused:
        _restore(small_archive)
    assert str(refused.value) == (
        "The archive was made by a newer version of Peerprogram (migration "
        "journal.9999_future is unknown here). Restore it with that version."
    )


def test_restore_refuses_a_damaged_dump(small_archive):
    _rewrite_manifest(small_archive, dump_sha256="f" * 64)
    with pytest.raises(BackupError) as refused:
        _restore(small_archive)
    assert str(refused.value) == (
        f"{small_archive} is damaged: the database dump inside does not match its checksum."
    )


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    not_an_archive = tmp_path / "notes.txt"
    not_an_archive.write_text("hello")
    with pytest.raises(BackupError) as refused:
        _restore(not_an_archive)
    assert str(refused.value).startswith(f"{not_an_archive} is not a Peerprogram backup archive (")


def test_notes_checksum_changes_with_a_notes_text_and_with_its_patient(cast):
    note = _patient_with_note(cast)
    before = notes_checksum(using="default")
    assert notes_checksum(using="default") == before
    NoteVersion.objects.filter(note=note).update(connectedness="Hun talte om sin bror.")
    after_text = notes_checksum(using="default")
    assert after_text != before
    Patient.objects.filter(pk=note.patient_id).update(reference="F-102")
    assert notes_checksum(using="default") not in {before, after_text}


def test_missing_pg_dump_names_the_debian_package(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError) as missing:
        pg_tool("pg_dump")
    assert str(missing.value) == (
        "pg_dump was not found. It comes with PostgreSQL's client programs: install the "
        "Debian package postgresql-client (apt-get install postgresql-client) and try again."
    )


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump backs up PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_pg_dump_older_than_the_server(monkeypatch, tmp_path):
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    server = connections["default"].pg_version // 10000
    with pytest.raises(BackupError) as refused:
        _backup(tmp_path / "backups", unencrypted=True)
    assert str(refused.value) == (
        f"pg_dump 9 is older than the PostgreSQL server ({server}); pg_dump must be the "
        f"server's major version or newer. Install postgresql-client-{server} (Debian "
        f"package) or newer and try again."
    )
    assert list((tmp_path / "backups").iterdir()) == []


def test_production_refuses_an_unencrypted_backup_unless_told(db, tmp_path, settings):
    settings.DEBUG = False
    with pytest.raises(BackupError) as refused:
        _backup(tmp_path / "backups")
    assert str(refused.value) == (
        "BACKUP_AGE_RECIPIENTS is not set, and in production (DEBUG off) an archive of health "
        "data is not written unencrypted: set it to the age public key(s) that may read the "
        'backups (README, "Backup and restore"), or pass --unencrypted to write a plain '
        "archive anyway."
    )
    assert not (tmp_path / "backups").exists()


@pytest.mark.parametrize(
    ("debug", "options"),
    [(True, {}), (False, {"unencrypted": True})],
    ids=["development", "production-with-unencrypted"],
)
@pytest.mark.django_db(transaction=True)
def test_a_plain_archive_is_written_with_a_warning(tmp_path, settings, debug, options):
    settings.DEBUG = debug
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", output=tmp_path / "backups", stdout=out, stderr=err, **options)
    archive = Path(out.getvalue().splitlines()[-1])
    assert archive.name.endswith("Z.tar.gz")
    assert "; not encrypted.\n" in out.getvalue()
    assert err.getvalue() == (
        f"{archive.name} is not encrypted: anyone who can read it can read the patient notes. "
        f"Set BACKUP_AGE_RECIPIENTS to encrypt the backups.\n"
    )


def test_unencrypted_is_refused_where_backups_are_encrypted(db, tmp_path, settings, age_key):
    settings.BACKUP_AGE_RECIPIENTS = [str(age_key.to_public())]
    with pytest.raises(BackupError) as refused:
        _backup(tmp_path / "backups", unencrypted=True)
    assert str(refused.value) == (
        "--unencrypted is refused: BACKUP_AGE_RECIPIENTS is set, and every archive of this "
        "server is encrypted to it."
    )
    assert not (tmp_path / "backups").exists()


def test_backup_refuses_a_recipient_that_is_not_an_age_public_key(db, tmp_path, settings, age_key):
    settings.BACKUP_AGE_RECIPIENTS = [str(age_key.to_public()), "ssh-ed25519 AAAAC3Nza"]
    with pytest.raises(BackupError) as refused:
        _backup(tmp_path / "backups")
    assert str(refused.value) == (
        "BACKUP_AGE_RECIPIENTS holds 'ssh-ed25519 AAAAC3Nza', which is not an age public key "
        "(age1…, as age-keygen prints it)."
    )
    assert not (tmp_path / "backups").exists()
