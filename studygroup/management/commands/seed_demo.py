from django.core.management.base import BaseCommand
from django.db import transaction

from studygroup import demo


class Command(BaseCommand):
    help = "Create the demo county, its groups and people, and the fixed demo accounts (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        from members.demo import DEMO_PASSWORD

        result = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("Demo accounts (password: %s):" % DEMO_PASSWORD)
        for username in result["accounts"]:
            self.stdout.write(f"  {username}")
