"""Back up the database and every uploaded file into one archive.

    python manage.py backup --output /var/backups/studygroup [--keep 14] [--json]

See ``studygroup.backups`` for what the archive holds; ``restore`` loads it back.
"""

from pathlib import Path

from django.core.management.base import CommandError

from studygroup import backups
from studygroup.management.figures import FiguresCommand


class Command(FiguresCommand):
    help = "Write one archive with the database, every file under MEDIA_ROOT and a manifest of counts and checksums."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="folder for the archive (created if missing)")
        parser.add_argument("--keep", type=int, default=0, help="then delete all but the newest KEEP archives there")

    def handle(self, *args, **options):
        try:
            summary = backups.backup_create(output_dir=Path(options["output"]), keep=options["keep"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        figures = summary.figures()
        self.report(**figures)
        self.stdout.write(
            f"{summary.archive}: {figures['tables']} tables, {figures['rows']} rows, "
            f"{figures['files']} files ({figures['file_bytes']} bytes) in {figures['seconds']} s."
        )
