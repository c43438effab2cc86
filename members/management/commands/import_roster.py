"""``manage.py import_roster FILE --by USERNAME [--dry-run] [--json] [--end-missing]``: the roster
import of the web page from the command line, as that staff account (the same scope and checks).
``--json`` prints the preview (what was, or would be, created, changed and left, and every error)."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from members import services
from studygroup.commands import acting_user, checked_file


class Command(BaseCommand):
    help = "Import a roster (Excel or CSV: units, study groups, people, seats) as a staff account."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv roster")
        parser.add_argument("--by", required=True, help="the staff account importing (its scope applies)")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the preview as JSON")
        parser.add_argument("--end-missing", action="store_true",
                            help="end the seats of the groups in the file whose people the file does not list")

    def handle(self, *args, file, by, dry_run, as_json, end_missing, **options):
        translation.activate(settings.LANGUAGE_CODE)
        person = acting_user(by, "members.import_roster", f"{by} may not import rosters (staff or 系统管理员 of an organisation).")
        name, data = checked_file(file, "roster_import")
        try:
            record, plan = services.roster_import_preview(
                by=person, data=data, filename=name, end_missing=end_missing, save=not dry_run,
            )
            if record is not None:
                record, plan = services.roster_import_apply(by=person, roster_import=record)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if as_json:
            self.stdout.write(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
            return
        counts = plan.counts()
        for action, label in (("created", "created"), ("updated", "changed"), ("unchanged", "left as they are")):
            figures = ", ".join(f"{kind} {n}" for kind, n in counts[action].items())
            self.stdout.write(f"{label:18} {figures}")
        for problem in plan.problems:
            where = f"{problem.sheet} row {problem.row}" + (f" {problem.column}" if problem.column else "")
            self.stderr.write(f"{where}: {problem.message}")
        self.stdout.write("Dry run: nothing was written." if dry_run else (
            f"Written. {record.created_people.count()} new people get an activation link "
            f"(the list to print: {settings.SITE_URL.rstrip('/')}{record.get_absolute_url()})."
            if plan.has_changes else "Nothing to change."
        ))
