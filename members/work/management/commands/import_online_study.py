"""``manage.py import_online_study FILE --platform xuexi|ganbu --period YYYY-MM --by USERNAME
[--dry-run] [--json]``: the web page's import of a platform's monthly export, as that staff
account (its people, its checks), with the columns last saved for that platform or the usual
headers (姓名, 手机号, 积分 / 学时)."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from members.work import services
from members.work.online import parse_month
from members.work.models import OnlinePlatform
from studygroup.commands import acting_user, checked_file


class Command(BaseCommand):
    help = "Import a learning platform's monthly points or hours (学习强国, 干部网络学院) as a staff account."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the platform's export (.xlsx or .csv)")
        parser.add_argument("--platform", required=True, choices=OnlinePlatform.values)
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--by", required=True, help="the staff account importing (its people and checks apply)")
        parser.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the preview as JSON")

    def handle(self, *args, file, platform, period, by, dry_run, as_json, **options):
        translation.activate(settings.LANGUAGE_CODE)
        month = parse_month(period)
        if month is None:
            raise CommandError("--period is a month: YYYY-MM, such as 2026-11.")
        person = acting_user(by, "work.import_online_study",
                             f"{by} may not import online-study figures (staff of a study group's organisation).")
        name, data = checked_file(file, "online_study_import")
        try:
            record, plan = services.online_study_preview(
                by=person, data=data, filename=name, platform=platform, period=month, save=not dry_run,
            )
            if record is not None:
                record, plan = services.online_study_apply(by=person, online_import=record)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if as_json:
            self.stdout.write(json.dumps(plan.as_json(), ensure_ascii=False, indent=2))
            return
        counts = plan.counts()
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
        for row in plan.rows:
            if row.action == "unmatched":
                self.stdout.write(f"unmatched: {row.sheet} row {row.row}: {row.label}")
        for problem in plan.problems:
            self.stderr.write(f"{problem.sheet} row {problem.row} {problem.column}: {problem.message}")
        self.stdout.write("Dry run: nothing was written." if dry_run else "Written.")
