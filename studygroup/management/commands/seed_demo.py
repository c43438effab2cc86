from django.core.management.base import BaseCommand
from django.db import transaction

from studygroup import demo


class Command(BaseCommand):
    help = "Create the demo county, its groups and people, and the fixed demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-pdfs", action="store_true",
            help="Do not build the PDFs of the issued bulletin and the submitted reviews now (they are built when first asked for).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        from members.demo import DEMO_PASSWORD

        result = demo.seed(build_pdfs=not options["without_pdfs"])
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("Demo accounts (password: %s):" % DEMO_PASSWORD)
        for username in result["accounts"]:
            self.stdout.write(f"  {username}")
