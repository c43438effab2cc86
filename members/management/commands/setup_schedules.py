from django.core.management.base import BaseCommand

from members.schedules import schedules_ensure


class Command(BaseCommand):
    help = "Create the beat schedule's missing periodic tasks (existing ones are left as edited)."

    def handle(self, *args, **options):
        created = schedules_ensure()
        self.stdout.write(self.style.SUCCESS(f"{created} periodic task(s) created."))
