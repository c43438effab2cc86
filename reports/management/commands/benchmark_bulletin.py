"""Time a bulletin of many groups through the real template and ``render_pdf``.

    python manage.py benchmark_bulletin --groups 1000

Scratch data (an organisation with N groups below it, their plans and meetings) is created in a
transaction that is rolled back at the end: nothing stays in the database.
"""

import random
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Organization, StudyGroup
from studygroup.management.figures import FiguresCommand


class Rollback(Exception):
    pass


class Command(FiguresCommand):
    help = "Build the PDF of a bulletin over N scratch groups and print time, pages and size."

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, default=1000)
        parser.add_argument("--runs", type=int, default=2, help="renders to time (the first warms fonts up)")
        parser.add_argument("--output", default="", help="write the PDF here")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self.run(options)
                raise Rollback
        except Rollback:
            pass

    def run(self, options):
        import io

        from pypdf import PdfReader

        from reports import documents, selectors
        from reports.models import Bulletin, Period

        n = options["groups"]
        started = time.monotonic()
        root = self.scratch_tree(n)
        self.stdout.write(f"scratch data: {n} groups in {time.monotonic() - started:.2f} s")

        bulletin = Bulletin(organization=root, year=2025, period=Period.FIRST_HALF, number="2025年第1期",
                            title="关于2025年上半年全县党委（党组）理论学习中心组学习情况的通报",
                            introduction="为进一步推动中心组学习制度化规范化，现将上半年各单位中心组学习情况通报如下。",
                            good_practices="各单位坚持“第一议题”制度，专题研讨质量明显提升。",
                            common_problems="个别单位存在学习记录补记、研讨不深入等问题。",
                            requirements="各单位要对照通报查找差距，抓好整改落实。")
        bulletin.save()
        t0 = time.monotonic()
        snapshot = selectors.bulletin_snapshot(bulletin)
        figures_s = time.monotonic() - t0
        bulletin.figures, bulletin.status = snapshot, Bulletin.Status.ISSUED
        bulletin.save()

        timings, cpu, data = [], [], b""
        for _ in range(max(options["runs"], 1)):
            t0, c0 = time.monotonic(), time.process_time()
            data = documents.pdf(bulletin)
            timings.append(time.monotonic() - t0)
            cpu.append(time.process_time() - c0)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        if options["output"]:
            with open(options["output"], "wb") as handle:
                handle.write(data)
        self.stdout.write(f"figures of {len(snapshot['rows'])} groups (SQL): {figures_s:.2f} s")
        self.stdout.write("PDF render (template + WeasyPrint): " + ", ".join(f"{t:.2f} s (CPU {c:.2f} s)" for t, c in zip(timings, cpu, strict=True)))
        self.stdout.write(f"load average now: {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())} on {__import__('os').cpu_count()} CPUs")
        self.stdout.write(f"pages: {pages}")
        self.stdout.write(f"size: {len(data) / 1024:.0f} KiB ({len(data)} bytes)")
        best = min(timings)
        ok = best < 3 and len(data) < 1024 * 1024
        self.report(groups=n, figures_seconds=round(figures_s, 3), render_seconds=[round(t, 3) for t in timings],
                    render_cpu_seconds=[round(c, 3) for c in cpu], pages=pages, bytes=len(data), ok=ok)
        self.stdout.write((self.style.SUCCESS if ok else self.style.ERROR)(
            f"{'OK' if ok else 'TOO SLOW OR TOO BIG'}: {best:.2f} s, {len(data) / 1024:.0f} KiB (limits 3 s, 1024 KiB)"
        ))

    def scratch_tree(self, n: int) -> Organization:
        from plans.models import AnnualPlan
        from sessions.models import Meeting

        rng = random.Random(7)
        top = Organization.objects.add_root(
            {"name": "中共基准测试县委员会", "short_name": "基准县委", "kind": "party_committee", "level": "county"}
        )
        orgs = [
            Organization(
                name=f"中共基准测试县第{i + 1}单位党组", short_name=f"基准单位{i + 1}", kind="party_group", level="department",
                path=Organization._get_path(top.path, top.depth + 1, i + 1), depth=top.depth + 1, numchild=0,
            )
            for i in range(n)
        ]
        Organization.objects.bulk_create(orgs)
        Organization.objects.filter(pk=top.pk).update(numchild=n)
        orgs = list(Organization.objects.filter(path__startswith=top.path, depth=top.depth + 1))
        groups = StudyGroup.objects.bulk_create([StudyGroup(organization=o, name=f"{o.name}理论学习中心组") for o in orgs])
        AnnualPlan.objects.bulk_create([
            AnnualPlan(group=g, year=2025, title="2025年学习计划", status="published", meetings_per_year=12, discussions_per_year=4)
            for g in groups if rng.random() < 0.9
        ])
        tz = timezone.get_current_timezone()
        kinds = ["group_study"] * 5 + ["discussion"] * 2 + ["lecture", "reading_class", "online"]
        meetings = []
        for g in groups:
            for _ in range(rng.randint(1, 9)):
                start = datetime(2025, 1, 5, 9, tzinfo=tz) + timedelta(days=rng.randint(0, 170))
                meetings.append(Meeting(group=g, title="集中学习", kind=rng.choice(kinds), starts_at=start,
                                        ends_at=start + timedelta(hours=2), status="held", session_plan="方案"))
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        return top
