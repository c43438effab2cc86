"""花名册导入 in the browser and on the command line, as staff would use it: the template, the
demo county's roster (30 units, 400 people), the preview, the import, the activation links that
reach each person alone, and bad files that get a Chinese answer and change nothing."""

import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members import activation
from members.models import Membership, Organization, RosterImport, StudyGroup, User

pytestmark = pytest.mark.django_db

DEMO_ROSTER = Path(__file__).with_name("data") / "demo_roster.xlsx"


def upload(client, data: bytes, name="花名册.xlsx", **fields):
    return client.post(reverse("members:roster-import"), {"file": SimpleUploadedFile(name, data), **fields})


def xlsx(rows, title="人员") -> bytes:
    book = Workbook()
    book.active.title = title
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_template_downloads_with_its_four_sheets_and_notes(client_for, world):
    response = client_for(world.staff).get(reverse("members:roster-template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content])))
    assert book.sheetnames == ["单位", "中心组", "人员", "成员", "填写说明"]
    assert [cell.value for cell in book["人员"][2]] == ["姓名", "手机号码", "单位", "职务", "电子邮箱", "账号"]
    assert [cell.value for cell in book["成员"][2]] == ["手机号码", "姓名", "中心组", "组内职务", "起始日期"]


def test_a_county_is_set_up_from_its_roster_in_the_browser(client_for, world, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(world.staff)
    response = upload(client, DEMO_ROSTER.read_bytes(), name="青山县花名册.xlsx")
    record = RosterImport.objects.get()
    assert response.status_code == 302
    assert response.url == record.get_absolute_url()
    assert not Organization.objects.filter(name="中共青山县水利局党组").exists()  # a preview writes nothing

    preview = client.get(record.get_absolute_url())
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "花名册预览" in page
    assert [(row["label"], row["created"]) for row in preview.context["counts"]] == [
        ("单位", 30), ("中心组", 30), ("人员", 400), ("中心组成员", 400),
    ]
    assert len(preview.context["rows"]) == 100  # a page at a time
    assert preview.context["page_obj"].paginator.count == 860

    confirm = client.get(reverse("members:roster-import-apply", kwargs={"pk": record.pk}))
    assert confirm.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("members:roster-import-apply", kwargs={"pk": record.pk}))
    assert done.status_code == 302
    water = Organization.objects.get(name="中共青山县水利局党组")
    assert Organization.objects.get_parent(water) == world.county
    assert StudyGroup.objects.get(organization=water).name == "中共青山县水利局党组理论学习中心组"
    new_people = User.objects.filter(phone__startswith="1370100")
    assert new_people.count() == 400
    assert not any(person.has_usable_password() for person in new_people)  # no password until they activate
    leaders = Membership.objects.current().filter(user__in=new_people, role=Membership.Role.LEADER)
    assert leaders.count() == 30
    record.refresh_from_db()
    assert record.status == RosterImport.Status.APPLIED
    assert record.created_people.count() == 400

    # Those with an e-mail address (every fifth) get their link by e-mail, each their own.
    assert len(mailoutbox) == 80
    message = mailoutbox[0]
    assert message.to[0].endswith("@qingshan.example.gov.cn")
    link = re.search(r"https?://\S+/activate/\S+/", message.body).group(0)
    person = User.objects.get(email=message.to[0])
    assert activation.person_for_token(link.rstrip("/").rsplit("/", 1)[1]) == person

    # The others' links are on the printed list (two pages of 200 slips).
    listing = client.get(reverse("members:roster-activation-list", kwargs={"pk": record.pk}))
    assert listing.status_code == 200
    assert len(listing.context["slips"]) == 200
    assert listing.context["page_obj"].paginator.count == 400
    assert "<svg" in listing.content.decode()

    # The person activates their account: the link works once.
    anonymous = client_for(None)
    path = urlsplit(link).path
    form = anonymous.get(path)
    assert form.status_code == 200
    assert person.username in form.content.decode()
    weak = anonymous.post(path, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200  # the password rules apply, in Chinese
    assert weak.context["form"].errors
    chosen = "Qingshan#2027study"
    activated = anonymous.post(path, {"new_password1": chosen, "new_password2": chosen})
    assert activated.status_code == 302
    person.refresh_from_db()
    assert person.check_password(chosen)
    again = anonymous.get(path)
    assert again.status_code == 410
    assert "已经使用" in again.content.decode() or "无效" in again.content.decode()

    # The same file again changes nothing.
    client = client_for(world.staff)
    upload(client, DEMO_ROSTER.read_bytes(), name="青山县花名册.xlsx")
    second = RosterImport.objects.exclude(pk=record.pk).get()
    assert second.preview["created"] == {"organizations": 0, "groups": 0, "people": 0, "memberships": 0}
    assert second.preview["updated"] == {"organizations": 0, "groups": 0, "people": 0, "memberships": 0}
    assert second.preview["unchanged"]["people"] == 400


def test_an_expired_or_altered_link_says_so_and_a_staff_reset_voids_it(client_for, world, settings):
    person = User.objects.create(username="new", name="新同志", organization=world.bureau)
    person.set_unusable_password()
    person.save()
    path = activation.activation_path(person)
    anonymous = client_for(None)
    assert anonymous.get(path).status_code == 200
    assert anonymous.get(path[:-3] + "xx/").status_code == 410
    settings.ACCOUNT_ACTIVATION_DAYS = 0
    expired = anonymous.get(path)
    assert expired.status_code == 410
    assert "过期" in expired.content.decode()
    settings.ACCOUNT_ACTIVATION_DAYS = 14
    person.set_unusable_password()  # what a reset does to the hash
    person.save()
    assert anonymous.get(path).status_code == 410


def test_an_import_is_its_importers_and_applies_once(client_for, world):
    client = client_for(world.staff)
    upload(client, xlsx([["姓名", "手机号码", "单位"], ["新人", "13900009999", "中共青山县教育局党组"]]))
    record = RosterImport.objects.get()
    assert client_for(world.sibling_staff).get(record.get_absolute_url()).status_code == 404
    assert client_for(world.sibling_staff).post(
        reverse("members:roster-import-apply", kwargs={"pk": record.pk})
    ).status_code == 404
    client = client_for(world.staff)
    client.post(reverse("members:roster-import-apply", kwargs={"pk": record.pk}))
    assert User.objects.filter(phone="13900009999").count() == 1
    assert client.post(reverse("members:roster-import-apply", kwargs={"pk": record.pk})).status_code == 403
    assert User.objects.filter(phone="13900009999").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "answer"),
    [
        ("花名册.xlsx", xlsx([["项目", "金额"], ["办公用品", 100]]), "没有找到表头"),
        ("花名册.xlsx", xlsx([["姓名", "手机号码", "单位", "中心组", "组内职务"],
                            ["王五", "13900007777", "中共白水县教育局党组", "中共白水县教育局党组", "成员"]]), "您管理的"),
        ("花名册.xlsx", xlsx([["姓名", "手机号码", "单位", "中心组", "组内职务"],
                            ["王五", "13900007777", "中共青山县教育局党组", "中共青山县教育局党组", "组员"]]), "组员"),
        ("花名册.xlsx", xlsx([["姓名", "手机号码", "单位"], ["=HYPERLINK(\"http://x\")", "13900007777", "中共青山县教育局党组"]]), "公式"),
        ("花名册.csv", "姓名,手机号码,单位\n王五,1390000777,中共青山县教育局党组\n".encode("gb18030"), "11位"),
    ],
    ids=["wrong-columns", "another-countys-unit", "unknown-role", "formula", "gbk-csv-bad-phone"],
)
def test_bad_rosters_get_a_chinese_answer_and_change_nothing(client_for, world, name, data, answer):
    client = client_for(world.staff)
    people_before = User.objects.count()
    response = upload(client, data, name=name)
    record = RosterImport.objects.get()
    page = client.get(record.get_absolute_url()).content.decode()
    assert answer in page, page[:2000]
    client.post(reverse("members:roster-import-apply", kwargs={"pk": record.pk}))
    assert response.status_code == 302
    assert User.objects.count() == people_before


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_form(client_for, world):
    client = client_for(world.staff)
    response = upload(client, b"MZ\x90\x00" + b"\x00" * 200, name="花名册.xlsx")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    old = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, name="花名册.xls")
    assert "xlsx" in " ".join(old.context["form"].errors["file"])
    assert not RosterImport.objects.exists()


def test_the_command_line_import_prints_the_preview_as_json_and_writes_only_without_dry_run(world, tmp_path, capsys):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx([
        ["姓名", "手机号码", "单位", "中心组", "组内职务"],
        ["赵六", "13900006666", "中共青山县教育局党组", "中共青山县教育局党组", "学习秘书"],
        ["钱七", "13900005555", "中共青山县教育局党组", "中共青山县教育局党组", "组员"],
    ]))
    call_command("import_roster", str(path), "--by", world.staff.username, "--dry-run", "--json")
    preview = json.loads(capsys.readouterr().out)
    assert preview["created"] == {"organizations": 0, "groups": 0, "people": 1, "memberships": 1}
    assert [(error["sheet"], error["row"]) for error in preview["errors"]] == [("人员", 3)]
    assert "组员" in preview["errors"][0]["message"]
    assert not User.objects.filter(phone="13900006666").exists()
    call_command("import_roster", str(path), "--by", world.staff.username)
    assert Membership.objects.current().get(user__phone="13900006666").role == Membership.Role.SECRETARY
    assert RosterImport.objects.get().status == RosterImport.Status.APPLIED
    with pytest.raises(Exception, match="may not import"):
        call_command("import_roster", str(path), "--by", world.member.username, "--dry-run")


def test_the_preview_page_costs_the_same_queries_for_few_rows_and_many(client_for, world, django_assert_num_queries):
    client = client_for(world.staff)
    upload(client, xlsx([["姓名", "手机号码", "单位"], ["新人", "13900009999", "中共青山县教育局党组"]]))
    upload(client, DEMO_ROSTER.read_bytes())
    small, large = RosterImport.objects.order_by("pk")
    client.get(small.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(small.get_absolute_url())
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(large.get_absolute_url())


def test_a_mail_server_that_refuses_does_not_undo_or_break_the_import(client_for, world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client = client_for(world.staff)
    upload(client, xlsx([["姓名", "手机号码", "单位", "电子邮箱"], ["新人", "13900009999", "中共青山县教育局党组", "x@example.org"]]))
    record = RosterImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("members:roster-import-apply", kwargs={"pk": record.pk}))
    assert done.status_code == 302
    assert User.objects.filter(phone="13900009999").exists()
    listing = client.get(reverse("members:roster-activation-list", kwargs={"pk": record.pk}))
    assert "/activate/" in listing.content.decode()  # the printed list still has the link
