"""花名册导入, the reading and the plan: units, groups, people and seats from the template or from
a roster an office keeps; errors in Chinese with their sheet, row and column; a row with an error
left out whole; nothing written until applied, then the same file again changes nothing."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from members import roster
from members.models import Membership, Organization, StudyGroup, User
from members.tests.factories import MembershipFactory, UserFactory, roster_workbook

pytestmark = pytest.mark.django_db


workbook = roster_workbook


def plan(data: bytes, by, name="花名册.xlsx", **options):
    return roster.plan_roster(roster.read_roster(data, name), by=by, **options)


def messages(result) -> list[str]:
    return [f"{p.sheet}|{p.row}|{p.column}|{p.message}" for p in result.problems]


TEMPLATE = dict(
    单位=[
        ["单位名称", "简称", "上级单位", "类型", "层级"],
        ["中共青山县财政局党组", "县财政局", "中共青山县委员会", "党组", "部门"],
        ["中共青山县财政局机关委员会", "财政局机关党委", "县财政局", "党委", "部门"],
    ],
    中心组=[
        ["中心组名称", "所属单位"],
        ["中共青山县财政局党组理论学习中心组", "县财政局"],
    ],
    人员=[
        ["姓名", "手机号码", "单位", "职务", "电子邮箱"],
        ["张建国", "13900001111", "县财政局", "党组书记、局长", "zhangjg@example.gov.cn"],
        ["李红梅", "13900002222", "县财政局", "党组成员、副局长", ""],
    ],
    成员=[
        ["手机号码", "姓名", "中心组", "组内职务", "起始日期"],
        ["13900001111", "张建国", "县财政局", "组长", "2026-01-01"],
        ["13900002222", "李红梅", "中共青山县财政局党组理论学习中心组", "成员", "2026年1月5日"],
    ],
)


def test_the_template_creates_units_a_group_people_and_seats_and_again_changes_nothing(world):
    data = workbook(**TEMPLATE)
    preview = plan(data, world.staff)
    assert messages(preview) == []
    assert preview.as_json() == {
        "created": {"organizations": 2, "groups": 1, "people": 2, "memberships": 2},
        "updated": {"organizations": 0, "groups": 0, "people": 0, "memberships": 0},
        "unchanged": {"organizations": 0, "groups": 0, "people": 0, "memberships": 0},
        "errors": [],
    }
    assert not Organization.objects.filter(name="中共青山县财政局党组").exists()  # nothing written yet

    roster.apply_roster(preview, by=world.staff)
    finance = Organization.objects.get(name="中共青山县财政局党组")
    assert Organization.objects.get_parent(finance) == world.county
    assert finance.kind == Organization.Kind.PARTY_GROUP
    assert Organization.objects.get_parent(Organization.objects.get(name="中共青山县财政局机关委员会")) == finance
    group = StudyGroup.objects.get(organization=finance)
    zhang = User.objects.get(phone="13900001111")
    assert zhang.username == "13900001111"
    assert not zhang.has_usable_password()  # the person sets it through the activation link
    assert zhang.organization == finance
    seats = {seat.user.name: seat for seat in Membership.objects.filter(group=group)}
    assert seats["张建国"].role == Membership.Role.LEADER
    assert seats["张建国"].started_on == date(2026, 1, 1)
    assert seats["李红梅"].started_on == date(2026, 1, 5)
    assert zhang.history.first().history_user == world.staff

    again = plan(data, world.staff)
    assert messages(again) == []
    assert not again.has_changes
    assert again.as_json()["unchanged"] == {"organizations": 2, "groups": 1, "people": 2, "memberships": 2}


def test_an_offices_own_roster_is_read_with_its_title_blank_columns_and_merged_units(world):
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["青山县教育局党组理论学习中心组成员名单"])
    sheet.append([])
    sheet.append(["序号", "所在单位", None, "姓名", "职务", "组内职务", "联系电话", "所在中心组"])
    sheet.append([1, "中共青山县教育局党组", None, "王志强", "局长", "组长", "139 0000 3333", "中共青山县教育局党组"])
    sheet.append([2, None, None, "赵丽", "副局长", "副组长", 13900004444, "中共青山县教育局党组"])
    sheet.append([3, None, None, "钱进", "办公室主任", "学习秘书", "+86 13900005555", "中共青山县教育局党组"])
    sheet.merge_cells("B4:B6")
    sheet.merge_cells("H4:H6")
    buffer = io.BytesIO()
    book.save(buffer)

    preview = plan(buffer.getvalue(), world.staff)
    assert messages(preview) == []
    assert preview.counts()["created"]["people"] == 3
    assert preview.counts()["created"]["memberships"] == 3
    roster.apply_roster(preview, by=world.staff)
    zhao = User.objects.get(phone="13900004444")
    assert zhao.organization == world.bureau  # the merged cell counts for every row it covers
    assert Membership.objects.get(user=zhao, group=world.groups.bureau).role == Membership.Role.DEPUTY
    assert Membership.objects.get(user__phone="13900005555").role == Membership.Role.SECRETARY


def test_a_gbk_csv_from_chinese_windows_is_read(world):
    text = "姓名,手机号码,单位,职务,中心组,角色\r\n孙伟,13900006666,中共青山县教育局党组,副局长,中共青山县教育局党组,成员\r\n"
    preview = plan(text.encode("gbk"), world.staff, name="roster.csv")
    assert messages(preview) == []
    assert preview.counts()["created"]["people"] == 1
    assert preview.outcomes[0].label == "孙伟 13900006666"


def test_people_found_again_by_phone_are_updated_never_duplicated(world):
    person = UserFactory(name="周强", phone="13900007777", organization=world.bureau, position="副局长")
    MembershipFactory(user=person, group=world.groups.bureau, role=Membership.Role.MEMBER)
    data = workbook(人员=[
        ["姓名", "手机号码", "单位", "职务", "中心组", "组内职务"],
        ["周强", "139-0000-7777", "中共青山县教育局党组", "党组书记、局长", "中共青山县教育局党组", "组长"],
    ])
    preview = plan(data, world.staff)
    assert messages(preview) == []
    assert preview.counts()["updated"]["people"] == 1
    assert preview.counts()["updated"]["memberships"] == 1
    roster.apply_roster(preview, by=world.staff)
    assert User.objects.filter(phone="13900007777").count() == 1
    person.refresh_from_db()
    assert person.position == "党组书记、局长"
    assert Membership.objects.get(user=person, group=world.groups.bureau, ended_on__isnull=True).role == Membership.Role.LEADER


def test_errors_name_their_sheet_row_and_column_and_their_rows_are_left_out_whole(world):
    outsider = UserFactory(name="白水县的人", phone="13900009999", organization=world.sibling_bureau)
    data = workbook(
        单位=[
            ["单位名称", "上级单位"],
            ["中共青山县审计局党组", "中共青山县不存在委员会"],
            ["中共白水县审计局党组", "中共白水县委员会"],
        ],
        人员=[
            ["姓名", "手机号码", "单位", "中心组", "组内职务"],
            ["甲", "13900001234", "中共青山县教育局党组", "中共青山县教育局党组", "组员"],
            ["乙", "13900001234", "中共青山县教育局党组", "", ""],
            ["丙", "12345", "中共青山县教育局党组", "", ""],
            ["丁", "13900009999", "中共青山县教育局党组", "", ""],
            ["=HYPERLINK(\"http://x\")", "13900004321", "中共青山县教育局党组", "", ""],
            ["戊", "13900005678", "中共白水县教育局党组", "", ""],
        ],
    )
    preview = plan(data, world.staff)
    found = messages(preview)
    assert any(m.startswith("单位|2|B（上级单位）|") and "中共青山县不存在委员会" in m for m in found)
    assert any(m.startswith("单位|3|B（上级单位）|") and "不在您管理的单位范围内" in m for m in found)
    assert any(m.startswith("人员|2|E（组内职务）|") and "组员" in m and "组长、副组长、成员、学习秘书" in m for m in found)
    assert any(m.startswith("人员|3|B（手机号码）|") and "第2行" in m for m in found)  # the same phone twice
    assert any(m.startswith("人员|4|B（手机号码）|") and "12345" in m for m in found)
    outsider_message = next(m for m in found if m.startswith("人员|5|"))
    assert "白水县的人" not in outsider_message  # reveals nothing of the person
    assert "管理范围以外" in outsider_message
    assert any(m.startswith("人员|6|A（姓名）|") and "公式" in m for m in found)
    assert any(m.startswith("人员|7|C（单位）|") for m in found)
    # The first row's person is fine but its seat is not: the seat is left out, the person too.
    assert preview.counts()["created"] == {"organizations": 0, "groups": 0, "people": 0, "memberships": 0}
    outsider.refresh_from_db()
    assert outsider.organization == world.sibling_bureau


def test_seats_missing_from_the_file_end_only_when_staff_ask(world):
    data = workbook(人员=[
        ["姓名", "手机号码", "单位", "中心组", "组内职务"],
        ["新成员", "13900008888", "中共青山县教育局党组", "中共青山县教育局党组", "成员"],
    ])
    kept = plan(data, world.staff)
    assert kept.memberships_to_end == []
    ending = plan(data, world.staff, end_missing=True)
    ended = {seat.user for seat in ending.memberships_to_end}
    assert ended == {world.member, world.other_member}
    roster.apply_roster(ending, by=world.staff)
    assert not Membership.objects.current().filter(group=world.groups.bureau, user=world.member).exists()
    assert Membership.objects.filter(group=world.groups.bureau, user=world.member).exists()  # ended, not deleted


def test_a_file_that_is_not_a_roster_says_so(world):
    preview = plan(workbook(Sheet1=[["项目", "金额"], ["办公用品", 100]]), world.staff)
    assert len(preview.problems) == 1
    assert "姓名" in preview.problems[0].message
    with pytest.raises(roster.RosterError):
        roster.read_roster(b"not a workbook", "花名册.xlsx")
    with pytest.raises(roster.RosterError):
        roster.read_roster(b"x", "花名册.xls")
