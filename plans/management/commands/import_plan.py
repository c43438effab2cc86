"""``manage.py import_plan FILE [--dry-run] [--json] [--group ID] [--user USERNAME] [--year YEAR]``

Reads a plan document (.docx or .txt) with the same parser as the import page. With
``--dry-run`` nothing is saved (``--json`` prints what was read); otherwise a draft plan is
saved for the study group ``--group``.
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.importer import PlanImportError, parse_plan_file


class Command(BaseCommand):
    help = "Read an annual study plan document (.docx or .txt); save it as a draft plan of a group."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the plan document: .docx or .txt")
        parser.add_argument("--dry-run", action="store_true", help="read the document, save nothing")
        parser.add_argument("--json", action="store_true", help="print what was read as JSON")
        parser.add_argument("--group", type=int, help="id of the study group the plan belongs to")
        parser.add_argument("--year", type=int, help="the plan's year, when the document does not say")
        parser.add_argument("--user", help="username recorded as the author (default: a superuser)")

    def handle(self, *args, file, dry_run, json: bool, group, year, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        try:
            parsed = parse_plan_file(path.name, path.read_bytes())
        except PlanImportError as error:
            raise CommandError(str(error)) from error
        data = parsed.to_dict()
        if json:
            self.stdout.write(_dumps({
                "title": data["title"],
                "year": year or data["year"],
                "preamble": data["preamble"],
                "sections": [{"heading": s["heading"], "text": s["text"]} for s in data["sections"]],
                "topics": [{"label": t["label"], "title": t["title"], "description": t["description"]}
                           for t in data["topics"]],
                "unplaced": data["unplaced"],
            }))
        else:
            self.stdout.write(f"{data['title']} ({year or data['year']}): "
                              f"{len(data['sections'])} sections, {len(data['topics'])} topics")
            for topic in data["topics"]:
                self.stdout.write(f"  {topic['label']} {topic['title']}")
            for line in data["unplaced"]:
                self.stderr.write(f"  not placed: {line}")
        if dry_run:
            return
        self._save(data, group, year, user)

    def _save(self, data, group_id, year, username):
        from members.models import StudyGroup, User
        from plans import services

        if group_id is None:
            raise CommandError("--group is required to save the plan (or use --dry-run)")
        group = StudyGroup.objects.filter(pk=group_id).first()
        if group is None:
            raise CommandError(f"no study group with id {group_id}")
        by = (User.objects.filter(username=username).first() if username
              else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first())
        if by is None:
            raise CommandError("no such user; pass --user with a staff user of the group")
        try:
            plan = services.plan_import(group=group, by=by, parsed=data, year=year)
        except PermissionDenied as error:
            raise CommandError(f"{by.username} does not manage {group}") from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stderr.write(self.style.SUCCESS(f"Saved draft plan {plan.pk}: {plan.title}"))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
