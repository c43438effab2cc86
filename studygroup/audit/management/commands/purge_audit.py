from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from studygroup.audit.services import audit_purge_expired


class Command(BaseCommand):
    help = (
        "Delete audit entries (and django-axes login records) older than AUDIT_RETENTION_DAYS, "
        "never fewer than 180 days. The only way entries are ever deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days (at least 180).")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 180:
            raise CommandError("The audit trail is kept at least 180 days (等保 2.0).")
        keep = max(180, days if days is not None else settings.AUDIT_RETENTION_DAYS)
        deleted = audit_purge_expired(days=keep)
        self.stdout.write(f"Deleted {deleted} audit entries older than {keep} days.")
        call_command("purge_login_log", stdout=self.stdout)
