"""Every upload field, through its page: an .html, an .svg and an .exe renamed .pdf are refused
with a Chinese message naming the allowed types, the rest of the form keeps what was typed and
nothing is stored; a right file is stored under a random name with its original name kept."""

import os
from types import SimpleNamespace

import pytest
from django.urls import reverse

from members.work.models import MemberWork
from plans.models import AnnualPlan
from reports.models import RectificationEvidence
from sessions.models import Material
from sessions.tests.factories import MeetingFactory
from studygroup.tests import upload_samples as samples

pytestmark = pytest.mark.django_db


def _item(world):
    from reports.tests.permission_objects import objects

    return objects(world).item


def _topic(world):
    from plans.tests.factories import plan_world

    return plan_world(world).published.topics.first()


# Each upload field: who posts, where, the other fields (with a value to find again on the
# page), the file field's name, a right file, and how to find what was stored.
FIELDS = {
    "meeting material": SimpleNamespace(
        user="staff", url=lambda w: reverse("meetings:material-create", args=[MeetingFactory(group=w.groups.bureau).pk]),
        data=lambda w: {"title": "县委书记讲话汇编"}, kept="县委书记讲话汇编", file="file",
        good=("讲话汇编.pdf", samples.PDF), stored=lambda: Material.objects.exclude(file=""),
        name=lambda obj: obj.original_name,
    ),
    "topic material": SimpleNamespace(
        user="staff", url=lambda w: reverse("meetings:topic-material-create", args=[_topic(w).pk]),
        data=lambda w: {"title": "专题辅导材料"}, kept="专题辅导材料", file="file",
        good=("辅导材料.docx", samples.docx()), stored=lambda: Material.objects.exclude(file=""),
        name=lambda obj: obj.original_name,
    ),
    "reflection attachment": SimpleNamespace(
        user="member", url=lambda w: reverse("work:work-create", args=["reflection"]),
        data=lambda w: {"group": w.groups.bureau.pk, "title": "学习全会精神的体会", "body": "深刻领会全会精神。", "save": ""},
        kept="学习全会精神的体会", file="attachment",
        good=("心得体会.docx", samples.docx()), stored=lambda: MemberWork.objects.exclude(attachment=""),
        name=lambda obj: obj.attachment_original_name,
    ),
    "research report attachment": SimpleNamespace(
        user="member", url=lambda w: reverse("work:work-create", args=["research"]),
        data=lambda w: {"group": w.groups.bureau.pk, "new_research_topic": "乡村振兴调研", "half": "1",
                        "title": "关于乡村振兴的调研报告", "body": "调研正文", "save": ""},
        kept="关于乡村振兴的调研报告", file="attachment",
        good=("调研报告.pdf", samples.PDF), stored=lambda: MemberWork.objects.exclude(attachment=""),
        name=lambda obj: obj.attachment_original_name,
    ),
    "article attachment": SimpleNamespace(
        user="member", url=lambda w: reverse("work:work-create", args=["article"]),
        data=lambda w: {"group": w.groups.bureau.pk, "title": "理论文章一篇", "outlet": "江北日报", "level": "provincial",
                        "occurred_on": "2026-03-01", "body": "", "save": ""},
        kept="江北日报", file="attachment",
        good=("文章扫描件.jpg", samples.image("JPEG")), stored=lambda: MemberWork.objects.exclude(attachment=""),
        name=lambda obj: obj.attachment_original_name,
    ),
    "rectification evidence": SimpleNamespace(
        user="staff", url=lambda w: reverse("reports:item-start", args=[_item(w).pk]),
        data=lambda w: {"note": "已召开专题会议部署整改"}, kept="已召开专题会议部署整改", file="evidence",
        good=("整改台账.xlsx", samples.xlsx()),
        stored=lambda: RectificationEvidence.objects.exclude(original_name="整改材料.txt"),
        name=lambda obj: obj.original_name,
    ),
    "plan import": SimpleNamespace(
        user="staff", url=lambda w: reverse("plans:plan-import"),
        data=lambda w: {"group": w.groups.bureau.pk, "text": "粘贴的计划正文"}, kept="粘贴的计划正文", file="file",
        good=None, stored=lambda: AnnualPlan.objects.filter(title__contains="导入"), name=None,
    ),
}


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("filename, data, kind", [
    ("学习资料.html", samples.HTML, "网页文件（HTML）"),
    ("图表.svg", samples.SVG, "SVG 图像"),
    ("资料汇编.pdf", samples.EXE, "可执行程序"),
])
def test_upload_field_refuses_a_hostile_file_and_keeps_the_form(field, filename, data, kind, world, client):
    case = FIELDS[field]
    client.force_login(getattr(world, case.user))
    url = case.url(world)
    before = case.stored().count()
    response = client.post(url, {**case.data(world), case.file: samples.upload(filename, data, "application/pdf")})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"“{filename}”是{kind}，不能在此上传" in body
    assert "允许的类型" in body
    assert case.kept in body
    assert case.stored().count() == before


@pytest.mark.parametrize("field", sorted(name for name, case in FIELDS.items() if case.good))
def test_upload_field_stores_a_right_file_under_a_random_name(field, world, client):
    case = FIELDS[field]
    client.force_login(getattr(world, case.user))
    filename, data = case.good
    response = client.post(case.url(world), {**case.data(world), case.file: samples.upload(filename, data)})
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = case.stored().get()
    assert case.name(stored) == filename
    file_field = getattr(stored, "attachment", None) or stored.file
    assert filename.rsplit(".", 1)[0] not in file_field.name


def test_plan_import_reads_a_right_docx(world, client):
    import io

    import docx

    document = docx.Document()
    for line in ["中共XX镇委员会理论学习中心组2026年学习计划", "一、指导思想", "坚持以党的创新理论为指导。",
                 "二、学习内容", "（一）学习党的二十大精神。", "（二）学习乡村振兴论述。"]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    client.force_login(world.staff)
    response = client.post(reverse("plans:plan-import"), {
        "group": world.groups.bureau.pk, "file": samples.upload("学习计划.docx", buffer.getvalue()),
    })
    assert response.status_code == 302
    assert "import=" in response["Location"]


def test_upload_field_over_its_cap_says_the_limit_and_keeps_the_form(world, client, settings):
    settings.MATERIAL_MAX_UPLOAD_MB = 1
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    big = samples.upload("大文件.pdf", samples.PDF + b"0" * (1024 * 1024 + 10))
    response = client.post(reverse("meetings:material-create", args=[meeting.pk]), {"title": "大材料", "file": big})
    body = response.content.decode()
    assert "不能超过 1 MB" in body
    assert "大材料" in body
    assert not Material.objects.exists()


def test_replacing_a_work_attachment_keeps_the_new_name_and_clearing_drops_it(world, client):
    from members.work import services as work_services

    work = work_services.work_create(
        by=world.member, kind="research", group=world.groups.bureau, title="调研报告", body="正文",
        attachment=samples.upload("初稿.pdf", samples.PDF),
    )
    client.force_login(world.member)
    url = reverse("work:work-update", args=[work.pk])
    data = {"title": "调研报告", "body": "正文", "research_topic": "", "new_research_topic": "课题", "half": "1", "save": ""}
    client.post(url, {**data, "attachment": samples.upload("定稿.docx", samples.docx())})
    work.refresh_from_db()
    assert work.attachment_original_name == "定稿.docx"
    assert work.attachment.name.endswith(".docx")
    client.post(url, {**data, "attachment-clear": "on"})
    work.refresh_from_db()
    assert not work.attachment
    assert work.attachment_original_name == ""


def test_a_big_upload_written_to_a_temporary_file_is_checked_the_same(world, client):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django writes the upload to a temporary file as it
    arrives; the check reads it from there (zip directory and parts, not the whole file)."""
    from django.conf import settings

    padding = {"word/media/scan.png": os.urandom(settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024)}
    big_docx = samples.office("docx", parts=padding)
    assert len(big_docx) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    meeting = MeetingFactory(group=world.groups.bureau)
    client.force_login(world.staff)
    url = reverse("meetings:material-create", args=[meeting.pk])
    response = client.post(url, {"title": "大文件", "file": samples.upload("大文件.docx", big_docx)})
    assert response.status_code == 302
    assert Material.objects.get().size == len(big_docx)
    big_exe = samples.EXE + b"\x00" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(url, {"title": "伪装", "file": samples.upload("伪装.pdf", big_exe)})
    assert "可执行程序" in response.content.decode()
