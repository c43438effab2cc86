"""Backups: one archive with the database and every file of MEDIA_ROOT, and its restore.

An archive (``studygroup-YYYYmmdd-HHMMSS.tar.gz``) holds

- ``database.sql`` (PostgreSQL, ``pg_dump``: schema and data) or ``database.sqlite3`` (SQLite,
  a copy made with SQLite's online backup API): a consistent picture, taken while the
  application runs;
- ``media/...``: every file under MEDIA_ROOT, whether or not a row refers to it;
- ``manifest.json`` (last): the row count of every table as the dump holds it (PostgreSQL:
  counted in the dump's own snapshot), the size and SHA-256 of the dump and of every file, the
  last migration of each app.

``restore`` loads an archive into an EMPTY database (no tables: the dump creates the schema,
then ``migrate`` brings an older backup up to the running code) and an empty MEDIA_ROOT, then
checks every count and checksum against the manifest. It never prompts, never flushes, and
writes no audit entry of its own: the restored trail is the one that was backed up.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
ARCHIVE_PREFIX = "studygroup-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_NAMES = {"postgresql": "database.sql", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the person running it."""


@dataclass
class Summary:
    archive: Path
    vendor: str
    tables: dict[str, int]
    files: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def figures(self) -> dict:
        return {
            "archive": str(self.archive),
            "archive_bytes": self.archive.stat().st_size if self.archive.exists() else None,
            "database": self.vendor,
            "tables": len(self.tables),
            "rows": sum(self.tables.values()),
            "files": len(self.files),
            "file_bytes": sum(item["size"] for item in self.files),
            "seconds": round(self.seconds, 2),
        }


# --- helpers ----------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file for tarfile while computing its SHA-256."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def media_root() -> Path:
    storage = settings.STORAGES["default"]["BACKEND"]
    if storage != "django.core.files.storage.FileSystemStorage":
        raise BackupError(
            "Uploaded files are not in a folder (MEDIA_STORAGE is not 'filesystem'): back up the "
            "bucket with the storage's own tools (versioning, replication)."
        )
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` (symbolic links are not followed), sorted."""
    if not root.exists():
        return []
    found = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def count_rows(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def applied_migrations() -> dict[str, str]:
    """The last applied migration of each app (what the dump's schema is)."""
    from django.db.migrations.recorder import MigrationRecorder

    last = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        last[app] = max(last.get(app, name), name)
    return last


def postgres_environment(settings_dict) -> dict:
    """libpq's environment for pg_dump/psql: the same server, database and user as Django."""
    env = {**os.environ}
    mapping = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}
    for key, variable in mapping.items():
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    options = settings_dict.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(key):
            env["PG" + key.upper()] = str(options[key])
    return env


def _run(command, env, what):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).") from None
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")
    return result


# --- backup -----------------------------------------------------------------------------------


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump in a snapshot this connection exported, counting rows in the same snapshot, so
    the manifest's counts are exactly what the dump holds while the application keeps writing."""
    env = postgres_environment(connection.settings_dict)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = sorted(connection.introspection.table_names(cursor))
            counts = count_rows(cursor, tables)
            _run(
                ["pg_dump", "--format=plain", "--no-owner", "--no-privileges", "--quote-all-identifiers",
                 f"--snapshot={snapshot}", f"--file={target}"],
                env, "pg_dump",
            )
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
    finally:
        destination.close()
    copy = sqlite3.connect(target)
    try:
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        tables = [row[0] for row in cursor.fetchall()]
        return {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        copy.close()


def archive_name(now=None) -> str:
    now = timezone.localtime(now)
    return f"{ARCHIVE_PREFIX}{now:%Y%m%d-%H%M%S}{ARCHIVE_SUFFIX}"


def backup_create(*, output_dir: Path, keep: int | None = None, actor=None) -> Summary:
    """Write one archive into ``output_dir`` (created if missing, readable by its owner only).
    The audit entry is written first, so the archive holds the record of its own making."""
    from studygroup.audit.models import AuditEntry
    from studygroup.audit.services import audit_record

    started = time.monotonic()
    db_vendor = vendor()
    root = media_root()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = archive_name()
    final = output_dir / name
    if final.exists():
        raise BackupError(f"{final} exists already.")
    audit_record(action=AuditEntry.Action.BACKUP, actor=actor, detail=f"{final} (database and {root})")

    partial = output_dir / f".{name}.partial"
    dump_name = DUMP_NAMES[db_vendor]
    # The dump is written next to the archive (same file system, room for both).
    with tempfile.TemporaryDirectory(prefix=".studygroup-backup-", dir=output_dir) as work:
        dump = Path(work) / dump_name
        tables = _dump_postgresql(dump) if db_vendor == "postgresql" else _dump_sqlite(dump)
        manifest = {
            "format": FORMAT,
            "application": "studygroup",
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": db_vendor, "file": dump_name, "size": dump.stat().st_size,
                "sha256": sha256_of(dump), "tables": tables,
            },
            "migrations": applied_migrations(),
            "media": {"files": []},
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar:
                tar.add(dump, arcname=dump_name, filter=_plain_member)
                for path in media_files(root):
                    relative = path.relative_to(root).as_posix()
                    with open(path, "rb") as handle:
                        info = tar.gettarinfo(fileobj=handle, arcname=MEDIA_PREFIX + relative)
                        info = _plain_member(info)
                        reader = _HashingReader(handle)
                        tar.addfile(info, reader)
                    manifest["media"]["files"].append(
                        {"path": relative, "size": info.size, "sha256": reader.digest.hexdigest()}
                    )
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    if keep:
        prune(output_dir, keep)
    return Summary(final, db_vendor, tables, manifest["media"]["files"], time.monotonic() - started)


def _plain_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def prune(output_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``output_dir``."""
    archives = sorted(p for p in output_dir.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}") if p.is_file())
    removed = archives[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink()
    return removed


# --- restore ----------------------------------------------------------------------------------


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError:
        raise BackupError("This is not a backup of this application (no manifest.json).") from None
    manifest = json.load(tar.extractfile(member))
    if manifest.get("application") != "studygroup" or manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format: {manifest.get('application')} {manifest.get('format')}.")
    return manifest


def _check_migrations_known(manifest: dict):
    """A backup made by a newer version cannot be restored into this one."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, name in manifest.get("migrations", {}).items() if (app, name) not in known]
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of the application (unknown migrations: "
            + ", ".join(unknown) + "). Install that version, restore, then upgrade."
        )


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BackupError(f"Refusing a file outside the media folder: {path!r}.")
    return relative


def _check_empty_target(root: Path):
    tables = table_names()
    if tables:
        raise BackupError(
            f"The database is not empty ({len(tables)} tables, e.g. {tables[0]}). Restore only into a new, "
            "empty database: create one (see the README) and point DATABASE_URL at it."
        )
    if root.exists() and any(root.iterdir()):
        raise BackupError(f"The media folder {root} is not empty. Restore only into an empty folder.")


def _load_postgresql(dump: Path):
    env = postgres_environment(connection.settings_dict)
    connection.close()
    _run(
        ["psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
         "--output=/dev/null", f"--file={dump}"],
        env, "Loading the database (psql)",
    )


def _load_sqlite(dump: Path):
    target = connection.settings_dict["NAME"]
    connection.close()
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()


def _extract_media(tar: tarfile.TarFile, manifest: dict, root: Path) -> list[dict]:
    expected = {item["path"]: item for item in manifest["media"]["files"]}
    written = []
    file_mode = settings.FILE_UPLOAD_PERMISSIONS or 0o640
    dir_mode = settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS or 0o750
    root.mkdir(parents=True, exist_ok=True)
    for member in tar:
        if not member.name.startswith(MEDIA_PREFIX):
            continue
        relative = _safe_relative(member.name[len(MEDIA_PREFIX):])
        if not member.isreg():
            raise BackupError(f"Refusing a member that is not a regular file: {member.name!r}.")
        item = expected.get(relative.as_posix())
        if item is None:
            raise BackupError(f"{member.name} is in the archive but not in its manifest.")
        target = root.joinpath(*relative.parts)
        for parent in reversed(target.parents):
            if parent != root and root in parent.parents and not parent.exists():
                parent.mkdir(mode=dir_mode)
        digest = hashlib.sha256()
        source = tar.extractfile(member)
        with open(target, "xb") as handle:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                handle.write(chunk)
        os.chmod(target, file_mode)
        os.utime(target, (member.mtime, member.mtime))
        if digest.hexdigest() != item["sha256"]:
            raise BackupError(f"Checksum mismatch for {relative}: the archive is damaged.")
        written.append({"path": relative.as_posix(), "size": member.size, "sha256": item["sha256"]})
    missing = set(expected) - {item["path"] for item in written}
    if missing:
        raise BackupError(f"{len(missing)} files of the manifest are missing from the archive, e.g. {min(missing)}.")
    return written


def backup_restore(*, archive: Path) -> Summary:
    """Restore ``archive`` into the configured (empty) database and (empty) MEDIA_ROOT."""
    from django.core.management import call_command

    started = time.monotonic()
    db_vendor = vendor()
    root = media_root()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"No such archive: {archive}.")
    try:
        tar = tarfile.open(archive, mode="r:*")
    except tarfile.TarError as error:
        raise BackupError(f"{archive} is not a readable archive: {error}.") from None
    with tar:
        manifest = _read_manifest(tar)
        database = manifest["database"]
        if database["vendor"] != db_vendor:
            raise BackupError(
                f"The backup is of a {database['vendor']} database; this one is {db_vendor}. "
                "Restore into the same kind of database."
            )
        _check_migrations_known(manifest)
        _check_empty_target(root)

        with tempfile.TemporaryDirectory(prefix="studygroup-restore-") as work:
            dump = Path(work) / database["file"]
            member = tar.getmember(database["file"])
            with tar.extractfile(member) as source, open(dump, "wb") as handle:
                shutil.copyfileobj(source, handle, CHUNK)
            if sha256_of(dump) != database["sha256"]:
                raise BackupError("The database dump's checksum does not match the manifest: the archive is damaged.")
            if db_vendor == "postgresql":
                _load_postgresql(dump)
            else:
                _load_sqlite(dump)
        files = _extract_media(tar, manifest, root)

    with connection.cursor() as cursor:
        counts = count_rows(cursor, sorted(database["tables"]))
    different = {t: (n, counts[t]) for t, n in database["tables"].items() if counts[t] != n}
    if different:
        raise BackupError(f"Row counts differ from the manifest after loading: {different}.")
    # A backup of an older version: bring the schema up to this one (nothing to do otherwise).
    call_command("migrate", interactive=False, verbosity=0)
    return Summary(archive, db_vendor, counts, files, time.monotonic() - started)
