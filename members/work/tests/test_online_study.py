"""学习强国 and 干部网络学院: staff import the platforms' monthly exports (preview, then import);
people are matched among those the staff manage; the figures reach the member's page, the review
and the bulletin as participation, never as a ranking."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from members.work.models import OnlineStudyImport, OnlineStudyMapping, OnlineStudyRecord
from reports import documents, services as report_services
from reports.models import Bulletin, Period

pytestmark = pytest.mark.django_db

YEAR = date.today().year
MONTH = date(YEAR, 1, 1)


def export(rows, title="学习强国积分导出") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([title])  # the platform's title row
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def phones(world):
    for n, person in enumerate([world.member, world.other_member, world.sibling_member]):
        person.phone = f"1390000{n:04d}"
        person.save()
    return world


def test_the_command_line_previews_imports_and_again_changes_nothing(phones, tmp_path, capsys):
    world = phones
    path = tmp_path / "xuexi.xlsx"
    path.write_bytes(export([
        ["序号", "姓名", "手机号", "所在单位", "积分"],
        [1, world.member.name, world.member.phone, "教育局", 1520],
        [2, world.other_member.name, world.other_member.phone, "教育局", "980.5"],
        [3, world.sibling_member.name, world.sibling_member.phone, "白水县", 2000],  # another county's: not matched
        [4, "查无此人", "13911112222", "", 50],
        [5, "王某", "13911113333", "", "很多"],
    ]))
    args = [str(path), "--platform", "xuexi", "--period", f"{YEAR}-01", "--by", world.staff.username]
    call_command("import_online_study", *args, "--dry-run", "--json")
    preview = json.loads(capsys.readouterr().out)
    assert (preview["created"], preview["unmatched"], preview["rows_with_errors"]) == (2, 2, 1)
    assert [row["label"] for row in preview["unmatched_rows"]] == [
        f"{world.sibling_member.name} {world.sibling_member.phone}", "查无此人 13911112222",
    ]
    assert world.sibling_member.name not in json.dumps([row["person"] for row in preview["unmatched_rows"]], ensure_ascii=False)
    assert [(error["row"], error["message"]) for error in preview["errors"]] == [(7, "“很多”不是数字。")]
    assert not OnlineStudyRecord.objects.exists()

    call_command("import_online_study", *args)
    assert dict(OnlineStudyRecord.objects.values_list("person__username", "value")) == {
        world.member.username: Decimal("1520.0"), world.other_member.username: Decimal("980.5"),
    }
    assert OnlineStudyRecord.objects.get(person=world.member).period == MONTH
    capsys.readouterr()
    call_command("import_online_study", *args, "--dry-run", "--json")
    again = json.loads(capsys.readouterr().out)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_staff_import_in_the_browser_with_their_own_headers_which_are_remembered(phones, client_for):
    world = phones
    client = client_for(world.staff)
    data = export([["学员", "联系方式", "本期学时"], [world.member.name, world.member.phone, 12]], title="干部网络学院学时")
    form = {"platform": "ganbu", "period": f"{YEAR}-01", "file": SimpleUploadedFile("ganbu.xlsx", data)}
    refused = client.post(reverse("work:online-study-import"), form)
    record = OnlineStudyImport.objects.get()
    page = client.get(record.get_absolute_url()).content.decode()
    assert refused.status_code == 302
    assert "没有找到表头" in page  # the headers are unusual: say which columns to use

    form = {**form, "file": SimpleUploadedFile("ganbu.xlsx", data), "name_header": "学员",
            "phone_header": "联系方式", "value_header": "本期学时"}
    client.post(reverse("work:online-study-import"), form)
    record = OnlineStudyImport.objects.latest("pk")
    assert record.preview["created"] == 1
    client.post(reverse("work:online-study-import-apply", kwargs={"pk": record.pk}))
    assert OnlineStudyRecord.objects.get(person=world.member).value == Decimal("12.0")
    assert OnlineStudyMapping.objects.get(organization=world.staff.organization, platform="ganbu").value_header == "本期学时"

    # Next month's file with the same headers imports without naming them again.
    next_month = {"platform": "ganbu", "period": f"{YEAR}-02",
                  "file": SimpleUploadedFile("ganbu2.xlsx", export([["学员", "联系方式", "本期学时"], [world.member.name, world.member.phone, 8]]))}
    client.post(reverse("work:online-study-import"), next_month)
    assert OnlineStudyImport.objects.latest("pk").preview["created"] == 1

    # A bad month is answered on the form, with the file still to choose and nothing lost.
    wrong = client.post(reverse("work:online-study-import"), {**next_month, "period": "13月", "file": SimpleUploadedFile("x.xlsx", data)})
    assert wrong.status_code == 200
    assert "2026-11" in " ".join(wrong.context["form"].errors["period"])
    assert client_for(world.sibling_staff).get(record.get_absolute_url()).status_code == 404


def test_the_figures_reach_the_members_page_the_review_and_the_bulletin(phones, client_for):
    world = phones
    OnlineStudyRecord.objects.create(person=world.member, platform="xuexi", period=MONTH, measure="points", value=1500)
    OnlineStudyRecord.objects.create(person=world.member, platform="xuexi", period=date(YEAR, 2, 1), measure="points", value=500)
    page = client_for(world.member).get(reverse("work:my-work") + f"?year={YEAR}").content.decode()
    assert "学习强国" in page
    assert "2000.0" in page

    from reports.selectors import review_snapshot

    snapshot = review_snapshot(world.groups.bureau, year=YEAR, period=Period.FIRST_HALF)
    [xuexi] = snapshot["online_study"]
    assert (xuexi["participants"], xuexi["members"], xuexi["median"]) == (1, 2, 2000.0)
    assert xuexi["none"] == [world.other_member.name]

    bulletin = report_services.bulletin_create(organization=world.county, year=YEAR, period=Period.FIRST_HALF, by=world.staff)
    context = documents.bulletin_context(Bulletin.objects.get(pk=bulletin.pk), for_pdf=True)
    assert "学习强国" in context["online_study_text"]
    assert "参与" in context["overall_text"]
