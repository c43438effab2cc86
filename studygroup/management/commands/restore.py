"""Restore a backup into an empty database and an empty MEDIA_ROOT.

    python manage.py restore /var/backups/studygroup/studygroup-20260701-020000.tar.gz [--json]

Never prompts and never deletes anything: it refuses a database that has tables or a media
folder that has files. It checks every row count and checksum against the archive's manifest.
"""

from pathlib import Path

from django.core.management.base import CommandError

from studygroup import backups
from studygroup.management.figures import FiguresCommand


class Command(FiguresCommand):
    help = "Restore an archive made by 'backup' into an empty database and media folder, and verify it."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by 'backup'")

    def handle(self, *args, **options):
        try:
            summary = backups.backup_restore(archive=Path(options["archive"]))
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        figures = summary.figures()
        self.report(**figures, verified=True)
        self.stdout.write(
            f"Restored {summary.archive}: {figures['tables']} tables, {figures['rows']} rows, "
            f"{figures['files']} files; every count and checksum matches the manifest ({figures['seconds']} s)."
        )
