"""Backups: the demo, backed up, restored into an empty database and media folder, is the same
row for row and byte for byte (on the suite's database: SQLite, and PostgreSQL in the second
run of scripts/test). The restore runs as an IT office runs it: ``manage.py restore`` in its
own process, pointed at the new database and folder by DATABASE_URL and MEDIA_ROOT."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from studygroup import backups

BASE_DIR = Path(settings.BASE_DIR)


# --- helpers ----------------------------------------------------------------------------------


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


def source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return backups.count_rows(cursor, tables)


def _postgres_admin():
    import psycopg2

    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres", user=params["USER"], password=params["PASSWORD"] or None,
        host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432,
    )
    admin.autocommit = True
    return admin


@pytest.fixture
def target(tmp_path):
    """An empty database of the suite's kind (yields its URL and a way to count its rows)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def counts():
            with sqlite3.connect(path) as db:
                tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
                return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}

        def backup_entries():
            with sqlite3.connect(path) as db:
                return db.execute("SELECT COUNT(*) FROM audit_auditentry WHERE action = 'backup'").fetchone()[0]

        yield {"url": f"sqlite:///{path}", "counts": counts, "backup_entries": backup_entries}
        return

    import psycopg2

    from studygroup.database_urls import database_url

    params = connection.settings_dict
    name = f"{params['NAME']}_restore"[:63]
    admin = _postgres_admin()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = database_url(connection, name=name)

    def query(sql):
        db = psycopg2.connect(url.replace("postgres://", "postgresql://"))
        try:
            with db.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            db.close()

    def counts():
        tables = [r[0] for r in query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        result = {}
        for table in tables:
            result[table] = query(f'SELECT COUNT(*) FROM "{table}"')[0][0]
        return result

    def backup_entries():
        return query("SELECT COUNT(*) FROM audit_auditentry WHERE action = 'backup'")[0][0]

    try:
        yield {"url": url, "counts": counts, "backup_entries": backup_entries}
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def run_restore(archive: Path, database_url: str, media_root: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studygroup.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": "restore-test-secret-key-not-for-production-use-xxxxxxxxxx",
        "CELERY_BROKER_URL": "",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), "--json"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    """The whole demo (seed_demo), and files under MEDIA_ROOT: an uploaded material, a file
    no row refers to, a Chinese name in a nested folder."""
    from sessions import services as meeting_services
    from sessions.models import Meeting

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SENDFILE_ROOT = str(settings.MEDIA_ROOT)
    call_command("seed_demo", "--without-pdfs", stdout=io.StringIO())
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.models import User

    staff = User.objects.get(username="demo-staff")
    meeting = (
        Meeting.objects.filter(group__organization__name="中共青山县委员会")
        .exclude(status__in=[Meeting.Status.ARCHIVED, Meeting.Status.CANCELLED]).order_by("pk").first()
    )
    meeting_services.material_add(
        by=staff, meeting=meeting, title="备份检查资料",
        upload=SimpleUploadedFile("资料.pdf", b"%PDF-1.4\n" + os.urandom(50_000), content_type="application/pdf"),
        url="",
    )
    orphan = settings.MEDIA_ROOT / "orphans" / "二级目录" / "无人引用.txt"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("没有任何记录指向这个文件", encoding="utf-8")
    return settings.MEDIA_ROOT


# --- the round trip ---------------------------------------------------------------------------


@pytest.mark.backup
def test_backup_and_restore_round_trip_every_row_and_file(seeded, target, tmp_path):
    from studygroup.audit.models import AuditEntry

    media = seeded
    before_files = checksums(media)
    assert len(before_files) >= 2

    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups" / "nightly"), json=True, stdout=out)
    summary = json.loads(out.getvalue())  # --json: nothing but the JSON on standard output
    archive = Path(summary["archive"])
    assert archive.is_file()
    assert archive.parent == tmp_path / "backups" / "nightly"
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert summary["files"] == len(before_files)
    # Counted after the backup: its own audit entry is in the source, and in the dump.
    before_rows = source_counts()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.BACKUP).count() == 1
    assert summary["rows"] == sum(before_rows.values())

    # Wipe the files; the database is restored into a new, empty one.
    import shutil

    shutil.rmtree(media)
    result = run_restore(archive, target["url"], media)
    assert result.returncode == 0, result.stderr[-3000:]
    restored = json.loads(result.stdout)
    assert restored["verified"] is True

    after_rows = target["counts"]()
    from django.apps import apps

    model_tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    assert model_tables <= set(after_rows), f"tables not restored: {model_tables - set(after_rows)}"
    differences = {t: (n, after_rows.get(t)) for t, n in before_rows.items() if after_rows.get(t) != n}
    assert not differences, f"row counts differ (before, after): {differences}"
    assert checksums(media) == before_files
    # The backup's own entry came along; the restore wrote none.
    assert target["backup_entries"]() == 1

    # Restoring again refuses the now filled database, never prompts, and changes nothing.
    again = run_restore(archive, target["url"], tmp_path / "other-media")
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert again.stdout == ""
    assert target["counts"]() == after_rows
    assert not (tmp_path / "other-media").exists()


# --- smaller promises -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_writes_its_audit_entry_before_the_dump(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    summary = backups.backup_create(output_dir=tmp_path / "out")
    with tarfile.open(summary.archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["tables"]["audit_auditentry"] == 1
    assert manifest["media"]["files"] == []


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_file(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.txt").write_text("原文")
    summary = backups.backup_create(output_dir=tmp_path / "out")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(summary.archive) as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "media/a.txt":
                data = "改过".encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    settings.MEDIA_ROOT = tmp_path / "restored"
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.backup_restore(archive=damaged)  # the suite's database has tables
    with pytest.raises(backups.BackupError, match="Checksum mismatch for a.txt"):
        backups._extract_media(tarfile.open(damaged), json.load(tarfile.open(damaged).extractfile("manifest.json")),
                               tmp_path / "restored")


def test_restore_refuses_paths_outside_the_media_folder():
    for name in ("../etc/passwd", "/etc/passwd", "a/../../b"):
        with pytest.raises(backups.BackupError):
            backups._safe_relative(name)


def test_keep_deletes_all_but_the_newest_archives(tmp_path):
    names = [f"studygroup-2026070{day}-023000.tar.gz" for day in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("kept")
    backups.prune(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[-2:] + ["notes.txt"])


@pytest.mark.django_db
def test_backup_refuses_files_in_a_bucket(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    with pytest.raises(backups.BackupError, match="bucket"):
        backups.backup_create(output_dir=tmp_path)
