from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone

from studygroup.management.figures import FiguresCommand


class Command(FiguresCommand):
    help = "Delete login and failed-login records older than AUDIT_RETENTION_DAYS (never under 180)."

    def handle(self, *args, **options):
        cutoff = timezone.now() - timedelta(days=max(180, settings.AUDIT_RETENTION_DAYS))
        logins, _ = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()
        failures, _ = AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
        self.report(deleted_logins=logins, deleted_failures=failures, before=f"{cutoff:%Y-%m-%d}")
        self.stdout.write(f"Deleted {logins} login and {failures} failed-login records before {cutoff:%Y-%m-%d}.")
