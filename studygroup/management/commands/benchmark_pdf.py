"""Time the PDF pipeline on a bulletin-sized document.

    python manage.py benchmark_pdf --groups 1000 [--repeat 3] [--output /tmp/bulletin.pdf]

Builds a half-year bulletin (title, paragraphs, an inline SVG bar chart, a table of study
groups with ten figures each) through ``studygroup.documents.render_pdf`` and prints the time,
the page count and the size. The first run of a process includes loading WeasyPrint and the
fonts; later runs are what a warm web or Celery worker pays.
"""

import io
import random
import time

from django.template.loader import render_to_string

from studygroup.documents import PRINT_BASE_TEMPLATE, bar_chart_svg, render_pdf
from studygroup.management.figures import FiguresCommand

TEMPLATE = "documents/benchmark_bulletin.html"
COUNTIES = [
    "青山", "白水", "临川", "东湖", "西岭", "南平", "北塘", "石桥", "云溪", "松阳",
    "桃源", "柳河", "金沙", "龙泉", "凤岗", "长乐",
]
UNITS = [
    "财政局", "教育局", "公安局", "民政局", "司法局", "人力资源和社会保障局", "自然资源局",
    "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
    "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "统计局", "医疗保障局", "林业局",
]
COLUMNS = [
    "集中学习", "专题研讨", "专家辅导", "第一议题", "读书班", "参学率%", "心得体会",
    "调研报告", "理论文章", "宣讲",
]
PARAGRAPH = (
    "各级党委（党组）理论学习中心组坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务，"
    "严格落实年度学习计划，突出专题研讨和调查研究，推动理论学习往深里走、往实里走、往心里走。"
)


def bulletin_context(groups: int, seed: int = 2026) -> dict:
    rng = random.Random(seed)
    rows = []
    for index in range(groups):
        county = COUNTIES[index % len(COUNTIES)]
        unit = rng.choice(UNITS)
        figures = [rng.randint(0, 24) for _ in range(5)]
        figures.append(f"{rng.uniform(85, 100):.1f}")
        figures += [rng.randint(0, 60) for _ in range(4)]
        rows.append({"name": f"中共{county}县{unit}党组理论学习中心组", "figures": figures})
    meetings = {county: 0 for county in COUNTIES}
    for index, row in enumerate(rows):
        meetings[COUNTIES[index % len(COUNTIES)]] += row["figures"][0]
    return {
        "title": "关于2026年上半年全市党委（党组）理论学习中心组学习情况的通报",
        "issuer": "中共临川市委宣传部",
        "issued": "2026年7月15日",
        "summary": [PARAGRAPH * 2, PARAGRAPH],
        "practices": [PARAGRAPH] * 3,
        "problems": [PARAGRAPH] * 2,
        "chart": bar_chart_svg(meetings.keys(), meetings.values(), width=640, height=220),
        "columns": COLUMNS,
        "groups": rows,
    }


class Command(FiguresCommand):
    help = "Render a bulletin-like PDF through render_pdf and print time, pages and size."

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, default=1000, help="rows of the table (default 1000)")
        parser.add_argument("--repeat", type=int, default=2, help="runs in this process (default 2)")
        parser.add_argument("--output", help="also write the PDF to this file")
        parser.add_argument(
            "--without-harfbuzz-subset", action="store_true",
            help="measure WeasyPrint's fontTools fallback, as on a server without libharfbuzz-subset0",
        )

    def handle(self, *, groups, repeat, output, without_harfbuzz_subset, **options):
        from pypdf import PdfReader

        if without_harfbuzz_subset:
            import weasyprint.pdf.fonts

            weasyprint.pdf.fonts.harfbuzz_subset = None
        context = bulletin_context(groups)

        started = time.perf_counter()
        html = render_to_string(TEMPLATE, {**context, "for_pdf": True, "base_template": PRINT_BASE_TEMPLATE})
        template_seconds = time.perf_counter() - started
        self.stdout.write(
            f"{groups} groups, {len(html) / 1024:.0f} KiB of HTML "
            f"(Django template alone: {template_seconds:.2f} s)"
        )

        self.report(groups=groups, html_kib=round(len(html) / 1024), template_seconds=round(template_seconds, 3), runs=[])
        pdf = b""
        for run in range(1, max(repeat, 1) + 1):
            wall, cpu = time.perf_counter(), time.process_time()
            pdf = render_pdf(TEMPLATE, context)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            self.figures["runs"].append({"seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "pages": pages, "bytes": len(pdf)})
            self.stdout.write(
                f"run {run}: {wall:.2f} s (CPU {cpu:.2f} s), {pages} pages, "
                f"{len(pdf) / 1024:.0f} KiB ({len(pdf) / 1_000_000:.2f} MB)"
                + ("  [first run: includes loading WeasyPrint and fonts]" if run == 1 else "")
            )
        if output:
            with open(output, "wb") as file:
                file.write(pdf)
            self.stdout.write(f"written to {output}")
