"""花名册导入 against someone trying to break it (an attacker's pass, each hole now closed): links
that outlive the staff's authority, files that would exhaust memory, tokens in logs, unannounced
contact changes, seats ended or given where they should not be, formulas in disguise."""

import io
import logging
import re
import zipfile

import pytest
from openpyxl import Workbook
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import roster, scoping, services
from members.models import Membership, OrganizationAssignment, RosterImport, StudyGroup, User
from members.tests.factories import AssignmentFactory, UserFactory, roster_workbook

pytestmark = pytest.mark.django_db


workbook = roster_workbook


def plan(data, by, **options):
    return roster.plan_roster(roster.read_roster(data, "花名册.xlsx"), by=by, **options)


def imported(client, phone):
    data = workbook(人员=[["姓名", "手机号码", "单位"], ["新人", phone, "中共青山县教育局党组"]])
    client.post(reverse("members:roster-import"), {"file": SimpleUploadedFile("花名册.xlsx", data)})
    record = RosterImport.objects.latest("pk")
    client.post(reverse("members:roster-import-apply", kwargs={"pk": record.pk}))
    return record, User.objects.get(phone=phone)


def test_no_fresh_link_for_someone_since_given_a_role_and_no_old_link_works(client_for, world):
    city_admin = UserFactory(username="cityadm", organization=world.city)
    AssignmentFactory(user=city_admin, organization=world.city, role=OrganizationAssignment.Role.SYSTEM_ADMIN)
    client = client_for(world.staff)
    record, person = imported(client, "13912349999")
    old = client.get(reverse("members:roster-activation-list", kwargs={"pk": record.pk})).content.decode()
    token = re.findall(r"/activate/([^/\"<\s]+)/", old)[0]
    services.assignment_grant(by=city_admin, person=person, organization=world.county,
                              role=OrganizationAssignment.Role.SECURITY_ADMIN)
    page = client_for(world.staff).get(reverse("members:roster-activation-list", kwargs={"pk": record.pk}))
    assert "/activate/" not in page.content.decode()
    answer = client_for(None).post(reverse("members:account-activate", kwargs={"token": token}),
                                   {"new_password1": "Attack@2026xyz!", "new_password2": "Attack@2026xyz!"})
    assert answer.status_code == 410
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_no_fresh_link_once_the_person_left_the_staffs_tree(client_for, world):
    client = client_for(world.staff)
    record, person = imported(client, "13911119999")
    person.organization = world.sibling_bureau
    person.save()
    assert "/activate/" not in client.get(reverse("members:roster-activation-list", kwargs={"pk": record.pk})).content.decode()


@pytest.mark.parametrize("reference", ["D1:CV200000", "A3:XFD1048576"])
def test_a_small_file_reaching_far_is_refused_before_it_is_loaded(world, reference):
    data = workbook(人员=[["姓名", "手机号码", "单位"], ["王五", "13900007777", "中共青山县教育局党组"]])
    source, target = io.BytesIO(data), io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = content.replace(b"</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{reference}"/></mergeCells>'.encode())
            new.writestr(item, content)
    with pytest.raises(roster.RosterError):
        roster.read_roster(target.getvalue(), "花名册.xlsx")


def test_a_stray_cell_far_to_the_right_is_refused(world):
    book = Workbook()
    book.active.append(["姓名", "手机号码", "单位"])
    book.active["XFD1"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(roster.RosterError, match="XFD"):
        roster.read_roster(buffer.getvalue(), "花名册.xlsx")


def test_an_activation_token_never_reaches_the_request_log(client_for, world, caplog):
    person = User.objects.create(username="new", name="新同志", organization=world.bureau)
    person.set_unusable_password()
    person.save()
    from members import activation

    token = activation.activation_token(person)
    with caplog.at_level(logging.INFO, logger="studygroup.request"):
        client_for(None).get(reverse("members:account-activate", kwargs={"token": token}))
    assert caplog.records
    assert all(token not in record.getMessage() and token not in str(getattr(record, "path", "")) for record in caplog.records)


def test_a_contact_change_by_import_is_announced_to_the_old_address(world, django_capture_on_commit_callbacks, mailoutbox, settings):
    settings.QUIET_HOURS = ("00:00", "00:00")
    world.member.phone, world.member.email = "13922221111", "real@example.gov.cn"
    world.member.save()
    data = workbook(人员=[["姓名", "手机号码", "单位", "电子邮箱"],
                          [world.member.name, "13922221111", "中共青山县教育局党组", "attacker@evil.example"]])
    record, _plan = services.roster_import_preview(by=world.staff, data=data, filename="x.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_import_apply(by=world.staff, roster_import=record)
    assert any("real@example.gov.cn" in message.to for message in mailoutbox)


def test_seats_are_not_ended_while_the_file_has_errors(world):
    world.member.phone, world.other_member.phone = "13911115555", "13911116666"
    world.member.save()
    world.other_member.save()
    data = workbook(成员=[["手机号码", "姓名", "中心组", "组内职务"],
                          ["13911115555", "教育局局长", "中共青山县教育局党组", "组长"],
                          ["13911116666", "教育局副局长", "中共青山县教育局党组", "副组长x"]])
    result = plan(data, world.staff, end_missing=True)
    assert result.memberships_to_end == []
    assert any("没有错误" in problem.message for problem in result.problems)


def test_a_person_moved_into_a_unit_the_same_file_adds(world):
    world.member.phone = "13911112222"
    world.member.save()
    data = workbook(
        单位=[["单位名称", "上级单位"], ["中共青山县新建局党组", "中共青山县委员会"]],
        人员=[["姓名", "手机号码", "单位"], [world.member.name, "13911112222", "中共青山县新建局党组"]],
    )
    result = plan(data, world.staff)
    roster.apply_roster(result, by=world.staff)
    world.member.refresh_from_db()
    assert world.member.organization.name == "中共青山县新建局党组"


def test_full_width_formulas_are_refused_too(world):
    data = workbook(人员=[["姓名", "手机号码", "单位", "职务"], ["＝1+1", "13911113333", "中共青山县委员会", "＋cmd"]])
    assert len(plan(data, world.staff).problems) == 2


def test_a_roster_without_positions_keeps_the_positions(world):
    world.member.phone, world.member.position = "13912345555", "党组书记、局长"
    world.member.save()
    result = plan(workbook(人员=[["姓名", "手机号码", "单位"], [world.member.name, "13912345555", "中共青山县教育局党组"]]), world.staff)
    roster.apply_roster(result, by=world.staff)
    world.member.refresh_from_db()
    assert world.member.position == "党组书记、局长"


def test_a_system_admin_who_is_not_staff_seats_nobody_through_an_import(world):
    admin = UserFactory(username="sysadm2", organization=world.county)
    AssignmentFactory(user=admin, organization=world.county, role=OrganizationAssignment.Role.SYSTEM_ADMIN)
    data = workbook(
        单位=[["单位名称", "上级单位"], ["中共青山县审计局党组", "中共青山县委员会"]],
        中心组=[["中心组名称", "所属单位"], ["", "中共青山县审计局党组"]],
        人员=[["姓名", "手机号码", "单位", "中心组", "组内职务"],
              ["新组长", "13912341111", "中共青山县审计局党组", "中共青山县审计局党组", "组长"]],
    )
    result = plan(data, admin)
    assert any("不是您管理的" in problem.message or "您不管理" in problem.message for problem in result.problems)
    roster.apply_roster(result, by=admin)
    assert not Membership.objects.filter(group__organization__name="中共青山县审计局党组").exists()
    assert StudyGroup.objects.filter(organization__name="中共青山县审计局党组").exists()  # units and groups: theirs to set up


def test_an_out_of_scope_account_reads_as_one_that_does_not_exist(world):
    data = workbook(人员=[["姓名", "手机号码", "单位", "账号"],
                          ["某人3", "13933338888", "中共青山县委员会", world.sibling_member.username],
                          ["某人4", "13933337777", "中共青山县委员会", "nobody_here"]])
    messages = [problem.message.replace(world.sibling_member.username, "X").replace("nobody_here", "X") for problem in plan(data, world.staff).problems]
    assert messages[0] == messages[1]
    assert scoping.editable_people(world.staff).filter(pk=world.sibling_member.pk).exists() is False
