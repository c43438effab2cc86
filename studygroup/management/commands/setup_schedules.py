from studygroup.management.figures import FiguresCommand
from studygroup.schedules import schedules_ensure


class Command(FiguresCommand):
    help = "Create the beat schedule's missing periodic tasks (existing ones are left as edited)."

    def handle(self, *args, **options):
        created = schedules_ensure()
        self.report(created=created)
        self.stdout.write(self.style.SUCCESS(f"{created} periodic task(s) created."))
