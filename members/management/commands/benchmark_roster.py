"""Time a roster import of ``--rows`` generated people (with their seats) as a county's staff:
reading, the preview and applying, then the same file again. Runs in a transaction it rolls
back, so the database is left as it was. Prints figures; ``--json`` prints them as one object."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members import roster, scoping
from members.models import OrganizationAssignment, User


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time reading, previewing and applying a generated roster of N people (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20000)
        parser.add_argument("--by", default="demo-staff", help="the staff account that imports (default demo-staff)")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, rows, by, as_json: bool, **options):
        try:
            staff = User.objects.get(username=by)
        except User.DoesNotExist as error:
            raise CommandError(f"No account {by}: run seed_demo first.") from error
        assignment = OrganizationAssignment.objects.filter(user=staff, role=OrganizationAssignment.Role.STAFF).first()
        if assignment is None:
            raise CommandError(f"{by} is not staff of an organisation.")
        unit = assignment.organization
        group = scoping.managed_groups(staff).filter(organization=unit).first()
        data = self.workbook(rows, unit.name, group.name if group else "")
        figures = {"rows": rows, "bytes": len(data)}
        try:
            with transaction.atomic():
                started = time.monotonic()
                sheets = roster.read_roster(data, "roster.xlsx")
                figures["read_s"] = round(time.monotonic() - started, 2)
                started = time.monotonic()
                plan = roster.plan_roster(sheets, by=staff)
                figures["preview_s"] = round(time.monotonic() - started, 2)
                figures["errors"] = len(plan.problems)
                started = time.monotonic()
                roster.apply_roster(plan, by=staff)
                figures["apply_s"] = round(time.monotonic() - started, 2)
                started = time.monotonic()
                again = roster.plan_roster(roster.read_roster(data, "roster.xlsx"), by=staff)
                figures["again_s"] = round(time.monotonic() - started, 2)
                figures["again_changes"] = again.has_changes
                raise Rollback
        except Rollback:
            pass
        figures["total_s"] = round(figures["read_s"] + figures["preview_s"] + figures["apply_s"], 2)
        if as_json:
            self.stdout.write(json.dumps(figures))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key:15} {value}")

    def workbook(self, rows: int, unit: str, group: str) -> bytes:
        from studygroup.documents import new_workbook, workbook_bytes

        book, sheet = new_workbook("花名册", ["姓名", "手机号码", "单位", "职务", "中心组", "组内职务"])
        for n in range(rows):
            sheet.append([f"测试人员{n:05d}", f"1770{n:07d}", unit, "干部", group, "成员"])
        return workbook_bytes(book, fit=False)
