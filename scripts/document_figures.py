"""Every document the application produces, made from the seeded demo as a user would ask for
it, with its pages (Word and Excel counted after LibreOffice opens them), size and build time.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python scripts/document_figures.py [--keep DIR]

Run it on a database where ``seed_demo`` has run (``scripts/run`` makes one). Worker-built
documents (bulletin, review and 述学 PDFs, the compilations) are built in this process.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("CELERY_BROKER_URL", "")


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def office_pages(data: bytes, suffix: str) -> int | None:
    if shutil.which("soffice") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"document{suffix}"
        source.write_bytes(data)
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
             "--outdir", folder, str(source)], capture_output=True, timeout=180, check=True,
        )
        return pdf_pages((Path(folder) / "document.pdf").read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="write each document into this folder too")
    options = parser.parse_args()

    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from members.models import User
    from members.work.models import MemberWork
    from plans.models import AnnualPlan
    from reports import services as report_services
    from reports.models import Bulletin, HalfYearReview, StudyAccount
    from sessions.models import Meeting

    staff = User.objects.get(username="demo-staff")
    client = Client()
    client.force_login(staff)
    bulletin = Bulletin.objects.filter(status="issued").first()
    review = HalfYearReview.objects.exclude(status="draft").first()
    account = StudyAccount.objects.first()
    meeting = Meeting.objects.filter(status="archived").order_by("-starts_at").first()
    plan = AnnualPlan.objects.filter(group__organization__name="中共青山县委员会").order_by("-year").first() or AnnualPlan.objects.first()
    work = MemberWork.objects.filter(status="accepted").values("group", "year").first()

    def get(name, *args, method="get", **data):
        response = getattr(client, method)(reverse(name, args=args), data, secure=True)
        assert response.status_code == 200, (name, response.status_code)
        return b"".join(response.streaming_content) if response.streaming else response.content

    def built(document):
        from reports.models import DocumentBuild

        DocumentBuild.objects.filter(kind=DocumentBuild.kind_of(document), object_id=document.pk).delete()
        build = report_services.build_now(document=document, by=staff)
        return build.file.read()

    def compilation():
        from members.work import services as work_services
        from members.models import StudyGroup
        from members.work.models import CompilationBuild

        group = StudyGroup.objects.get(pk=work["group"])
        CompilationBuild.objects.filter(group=group).delete()
        build, _started = work_services.compilation_build_request(group=group, year=work["year"], all_pieces=False, by=staff)
        return work_services.compilation_build_run(build_id=build.pk).file.read()

    def bundle():
        from sessions import services as meeting_services
        from sessions.models import MaterialBundle

        with_materials = next((m for m in Meeting.objects.order_by("-starts_at") if m.materials.exists()), None)
        if with_materials is None:
            raise LookupError("no demo meeting has materials")
        MaterialBundle.objects.filter(meeting=with_materials).delete()
        built_bundle, _started = meeting_services.material_bundle_request(meeting=with_materials, by=staff)
        return meeting_services.material_bundle_run(build_id=built_bundle.pk).file.read()

    def archive():
        from sessions import services as meeting_services
        from sessions.models import ArchiveBuild

        ArchiveBuild.objects.filter(meeting=meeting).delete()
        build, _started = meeting_services.archive_build_request(meeting=meeting, by=staff)
        return meeting_services.archive_build_run(build_id=build.pk).file.read()

    documents = [
        ("学习通报 PDF (official document)", ".pdf", lambda: built(bulletin)),
        ("学习通报 Word", ".docx", lambda: get("reports:bulletin-docx", bulletin.pk)),
        ("半年学习总结 PDF", ".pdf", lambda: built(review)),
        ("半年学习总结 Word", ".docx", lambda: get("reports:review-docx", review.pk)),
        ("述学报告 PDF", ".pdf", lambda: built(account)),
        ("述学报告 Word", ".docx", lambda: get("reports:account-docx", account.pk)),
        ("学习会议档案 PDF (PDF/A, worker)", ".pdf", archive),
        ("签到表 PDF", ".pdf", lambda: get("meetings:meeting-sign-in-sheet-pdf", meeting.pk, method="post")),
        ("签到表 Excel", ".xlsx", lambda: get("meetings:meeting-sign-in-sheet-xlsx", meeting.pk)),
        ("学习会议 日历 (ICS)", ".ics", lambda: get("meetings:meeting-ics", meeting.pk)),
        ("年度学习计划 PDF", ".pdf", lambda: get("plans:plan-pdf", plan.pk, method="post")),
        ("年度学习计划 Word", ".docx", lambda: get("plans:plan-docx", plan.pk)),
        ("学习安排表 Excel", ".xlsx", lambda: get("plans:schedule-xlsx", plan.pk)),
        ("个人学习成果清单 Excel", ".xlsx", lambda: get("work:work-export", work["group"], work["year"], "xlsx")),
        ("心得体会汇编 Word", ".docx", lambda: get("work:work-export", work["group"], work["year"], "docx")),
        ("心得体会汇编 PDF (worker)", ".pdf", compilation),
        ("学习资料汇编 PDF (worker)", ".pdf", bundle),
    ]
    keep = Path(options.keep) if options.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    print(f"{'document':34} {'pages':>6} {'size':>10} {'built in':>9}")
    for title, suffix, make in documents:
        started = time.perf_counter()
        try:
            data = make()
        except Exception as error:  # noqa: BLE001 - a figure script reports and goes on
            print(f"{title:34} {'—':>6} {'—':>10} {'—':>9}  ({type(error).__name__}: {error})")
            continue
        seconds = time.perf_counter() - started
        pages = pdf_pages(data) if suffix == ".pdf" else office_pages(data, suffix) if suffix in (".docx", ".xlsx") else None
        print(f"{title:34} {pages if pages is not None else '—':>6} {len(data) / 1024:>8.0f}kB {seconds:>8.2f}s")
        if keep:
            (keep / f"{title.split()[0]}{suffix}").write_bytes(data)


if __name__ == "__main__":
    main()
