from django.core.management.base import BaseCommand
from django.db import transaction

from members import demo


class Command(BaseCommand):
    help = "Create the demo county, its groups and people, and the fixed demo accounts (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        result = demo.seed()
        for seed_more in self.later_seeders():
            seed_more(result)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("Demo accounts (password: %s):" % demo.DEMO_PASSWORD)
        for username in result["accounts"]:
            self.stdout.write(f"  {username}")

    def later_seeders(self):
        """Each app that has demo data adds a ``demo.seed(result)``; run them in dependency order."""
        import importlib

        seeders = []
        # members.demo_work (members' own work) runs after the meetings' demo: it writes
        # reflections for the meetings members attended.
        # members.demo_notifications runs last: it runs the reminder rules over everything.
        # studygroup.audit.demo: the administrators' two-factor backup codes.
        for name in (
            "plans.demo", "sessions.demo", "members.demo_work", "reports.demo", "members.demo_notifications",
            "studygroup.audit.demo",
        ):
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError:
                continue
            seeders.append(module.seed)
        return seeders
